/**
 * The long-term-condition (LTC) list behind the care-plan review rule, and the test of a
 * diagnosis against it. SNOMED CT codes match exactly (there is no terminology server here, so
 * no subsumption); ICD-10 codes match by prefix once dots and spaces are removed, so `E11.9`,
 * `E119` and `I10X` all match. A diagnosis matches when its code or any coding it carries
 * matches (DOMAIN §4.4). Pure.
 */
import { createHash } from 'node:crypto';
import { assertNever, err, ok, type Result } from '../../core/result.js';
import type { CodeSystem, Coding, DiagnosisAmended, DiagnosisRecorded } from '../../schemas/generated/events.js';

export type LtcCodes = {
  /** SNOMED CT concept ids, matched exactly. */
  readonly snomedCt: readonly string[];
  /** ICD-10 prefixes without dots (`E11`, `I10`). */
  readonly icd10Prefixes: readonly string[];
};

/**
 * The samples' list, plus what DOMAIN §4.4 adds that no sample code meets: SNOMED CT 46635009
 * (type 1 diabetes, named there under diabetes); ICD-10 E12–E14 (other diabetes), I11–I13 and
 * I15 (hypertensive diseases) and J46 (status asthmaticus). Left out on purpose: J41–J43
 * (chronic bronchitis, emphysema) and O24 (gestational diabetes), which DOMAIN leaves to the
 * service. I48 covers atrial flutter as well as fibrillation.
 */
export const defaultLtcCodes = {
  snomedCt: [
    '44054006', // type 2 diabetes mellitus
    '73211009', // diabetes mellitus
    '46635009', // type 1 diabetes mellitus (DOMAIN §4.4)
    '13645005', // chronic obstructive lung disease
    '195967001', // asthma
    '84114007', // heart failure
    '709044004', // chronic kidney disease
    '59621000', // essential hypertension
    '38341003', // hypertensive disorder
    '49436004', // atrial fibrillation
  ],
  icd10Prefixes: [
    'E10',
    'E11',
    'E12', // DOMAIN §4.4
    'E13', // DOMAIN §4.4
    'E14', // DOMAIN §4.4
    'J44',
    'J45',
    'J46', // DOMAIN §4.4
    'I50',
    'N18',
    'I10',
    'I11', // DOMAIN §4.4
    'I12', // DOMAIN §4.4
    'I13', // DOMAIN §4.4
    'I15', // DOMAIN §4.4
    'I48',
  ],
} as const satisfies LtcCodes;

/** The coding systems a diagnosis coding may carry, as sent (HL7 mnemonic or FHIR URI). */
const codingSystems: Readonly<Record<string, 'SNOMED_CT' | 'ICD_10'>> = {
  SCT: 'SNOMED_CT',
  'http://snomed.info/sct': 'SNOMED_CT',
  I10: 'ICD_10',
  'http://hl7.org/fhir/sid/icd-10': 'ICD_10',
  'http://hl7.org/fhir/sid/icd-10-uk': 'ICD_10',
};

const normalisedIcd10 = (code: string): string => code.replace(/[.\s]/g, '').toUpperCase();

export function isLtcCode(ltc: LtcCodes, codeSystem: CodeSystem, code: string): boolean {
  switch (codeSystem) {
    case 'SNOMED_CT':
      return ltc.snomedCt.includes(code.trim());
    case 'ICD_10': {
      const normalised = normalisedIcd10(code);
      return ltc.icd10Prefixes.some((prefix) => normalised.startsWith(prefix));
    }
    case 'DMD':
    case 'UNKNOWN':
      return false;
    default:
      return assertNever(codeSystem, 'code system');
  }
}

const codingIsLtc = (ltc: LtcCodes, coding: Coding): boolean => {
  const system = Object.hasOwn(codingSystems, coding.system) ? codingSystems[coding.system] : undefined;
  return system !== undefined && isLtcCode(ltc, system, coding.code);
};

/** True when the diagnosis's code, or any coding it carries, is on the list. */
export function hasLtcCode(ltc: LtcCodes, event: DiagnosisRecorded | DiagnosisAmended): boolean {
  return isLtcCode(ltc, event.codeSystem, event.code) || event.codings.some((c) => codingIsLtc(ltc, c));
}

/**
 * An LTC list as a deployment writes it (`LTC_CODES_FILE`): `{"snomedCt": ["44054006", …],
 * "icd10Prefixes": ["E11", …]}`. SNOMED CT ids are 6–18 digits; ICD-10 prefixes are a letter
 * and two digits, optionally more characters (dots are removed, as in matching). The error
 * names the first thing to fix.
 */
export function parseLtcCodes(json: unknown): Result<LtcCodes, string> {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return err('expected a JSON object with "snomedCt" and "icd10Prefixes" arrays');
  const unknownKeys = Object.keys(json).filter((k) => k !== 'snomedCt' && k !== 'icd10Prefixes');
  if (unknownKeys.length > 0)
    return err(`unknown key "${unknownKeys[0]}"; expected only "snomedCt" and "icd10Prefixes"`);
  const record = json as Record<string, unknown>;
  const list = (
    key: string,
    test: RegExp,
    what: string,
    normalise: (v: string) => string,
  ): Result<string[], string> => {
    const value = record[key];
    if (!Array.isArray(value)) return err(`"${key}": expected an array of strings`);
    const codes: string[] = [];
    for (const [i, item] of value.entries()) {
      const code = typeof item === 'string' ? normalise(item) : undefined;
      if (code === undefined || !test.test(code)) return err(`"${key}"[${i}]: ${JSON.stringify(item)} is not ${what}`);
      codes.push(code);
    }
    return ok([...new Set(codes)].sort());
  };
  const snomedCt = list('snomedCt', /^\d{6,18}$/, 'a SNOMED CT concept id (6–18 digits)', (v) => v.trim());
  if (!snomedCt.ok) return snomedCt;
  const icd10Prefixes = list(
    'icd10Prefixes',
    /^[A-Z]\d{2}[0-9A-Z]{0,4}$/,
    'an ICD-10 prefix such as E11 or I10X',
    normalisedIcd10,
  );
  if (!icd10Prefixes.ok) return icd10Prefixes;
  if (snomedCt.value.length + icd10Prefixes.value.length === 0)
    return err('the list is empty: no diagnosis would open a long-term-condition review');
  return ok({ snomedCt: snomedCt.value, icd10Prefixes: icd10Prefixes.value });
}

/** A short, stable id of a list's content (order and duplicates do not matter), for logs and health. */
export function ltcListId(ltc: LtcCodes): string {
  const canonical = JSON.stringify({
    snomedCt: [...new Set(ltc.snomedCt)].sort(),
    icd10Prefixes: [...new Set(ltc.icd10Prefixes.map(normalisedIcd10))].sort(),
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}
