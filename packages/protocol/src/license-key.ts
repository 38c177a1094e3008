/**
 * License keys are typed by people, so they use Crockford base32 in upper case,
 * come in five groups of five, and end with a check character that catches a
 * mistyped character or two swapped neighbours before the request is sent.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DATA_LENGTH = 24;

/** The shape of a license key: `XXXXX-XXXXX-XXXXX-XXXXX-XXXXX`. */
export const LICENSE_KEY_PATTERN = /^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){4}$/;

/** Luhn mod 32 over the data characters. */
export function licenseKeyCheckChar(data: string): string {
  let factor = 2;
  let sum = 0;
  for (let i = data.length - 1; i >= 0; i--) {
    const codePoint = ALPHABET.indexOf(data[i] as string);
    if (codePoint < 0) throw new Error(`not a key character: ${data[i]}`);
    let addend = factor * codePoint;
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / 32) + (addend % 32);
    sum += addend;
  }
  return ALPHABET[(32 - (sum % 32)) % 32] as string;
}

/** Builds a key from 24 data characters (random ones, from the server). */
export function formatLicenseKey(data: string): string {
  if (data.length !== DATA_LENGTH) throw new Error(`a key has ${DATA_LENGTH} data characters`);
  const full = data + licenseKeyCheckChar(data);
  return full.match(/.{5}/g)?.join('-') ?? full;
}

/**
 * Puts a typed key in canonical form: upper case, the look-alikes O, I and L read
 * as 0, 1 and 1, spaces removed. Returns it unchanged in meaning otherwise.
 */
export function normaliseLicenseKey(input: string): string {
  return input.trim().toUpperCase().replace(/\s+/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

/** Why a key is not well-formed, or `null` when it is. */
export function licenseKeyProblem(key: string): string | null {
  if (!LICENSE_KEY_PATTERN.test(key)) {
    return 'a license key is five groups of five letters and digits, like ABCDE-FGHJK-MNPQR-STVWX-YZ012';
  }
  const compact = key.replaceAll('-', '');
  const data = compact.slice(0, DATA_LENGTH);
  if (licenseKeyCheckChar(data) !== compact[DATA_LENGTH]) {
    return 'the license key has a typing mistake (its check character does not match)';
  }
  return null;
}
