export {
  composeMessage,
  escapeHtml,
  type MailBlock,
  type MailLink,
  type MailMessage,
} from './message';
export { deliverMail, type DeliveryResult } from './send';
export { smtpMailer, type Mailer, type SmtpSettings } from './transport';
export * from './templates';
