// Preloaded with `node --require` into a test server: shifts the process's wall clock (Date.now(),
// new Date()) by KIT_TEST_CLOCK_OFFSET_MS milliseconds, as on a machine whose clock is off. Dates
// built from a value (a database timestamp, a JWT's exp) are left alone.
const offset = Number(process.env.KIT_TEST_CLOCK_OFFSET_MS || 0);
const RealDate = Date;

function ShiftedDate(...args) {
  if (!new.target) return new RealDate(RealDate.now() + offset).toString();
  return args.length === 0 ? new RealDate(RealDate.now() + offset) : new RealDate(...args);
}
ShiftedDate.prototype = RealDate.prototype;
ShiftedDate.now = () => RealDate.now() + offset;
ShiftedDate.parse = RealDate.parse;
ShiftedDate.UTC = RealDate.UTC;
globalThis.Date = ShiftedDate;
