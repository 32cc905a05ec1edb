// @vitest-environment happy-dom
import { renderHook } from '@testing-library/react';
import { describe, expect, test, vi } from 'vitest';
import { useAuth } from '@/client';
import { installFakeBackend } from './harness';

installFakeBackend();

describe('useAuth()', () => {
  test('outside <AuthProvider> it throws an error that names the provider', () => {
    // React logs the error thrown during render; keep the test output clean.
    vi.spyOn(console, 'error').mockImplementation(() => {});

    expect(() => renderHook(() => useAuth())).toThrow(
      'useAuth() must be used inside <AuthProvider>',
    );
  });
});
