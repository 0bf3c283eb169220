/**
 * A FHIR decimal, which JSON carries as a number, written back as a plain decimal string
 * ("500", "2.5", "0.0000001"). JSON.parse has already lost the written form, so `2.50` comes
 * back as "2.5" and `1.0` as "1": trailing zeros, and with them the sender's stated precision,
 * cannot be recovered from a parsed body. Pure.
 */
export function fhirDecimalString(value: number): string {
  const shortest = String(value);
  const exponential = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(shortest);
  if (exponential === null) return shortest;
  // String() switches to exponent form below 1e-6 and from 1e21; a dose is written out in full.
  const [, sign = '', lead = '', fraction = '', exponentText = '0'] = exponential;
  const digits = lead + fraction;
  const exponent = Number(exponentText);
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  return sign + digits.padEnd(exponent + 1, '0');
}
