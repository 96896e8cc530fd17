import metadata from 'libphonenumber-js/max/metadata';

// libphonenumber-js turns every separator of an international format into a space
// (`+82 2 1234 5678`); Google's libphonenumber, which RapidPro uses, keeps the format's own
// (`+82 2-1234-5678`). So the international form is built here from the raw metadata, the way
// Google does it: the numbering plan of the calling code's main country, the first format whose
// leading digits and pattern fit, its international variant unless that is `NA`.

type RawFormat = [pattern: string, format: string, leadingDigits?: string[], ...rest: unknown[]];

const FORMATS_INDEX = 4;
const INTERNATIONAL_FORMAT_INDEX = 5;

export function formatInternational(callingCode: string, nationalNumber: string): string {
  const formatted = formatNationalNumber(callingCode, nationalNumber);
  return `+${callingCode} ${formatted}`;
}

function formatNationalNumber(callingCode: string, nationalNumber: string): string {
  for (const format of numberingPlanFormats(callingCode)) {
    const leading = format[2];
    if (leading?.length && !new RegExp(`^(?:${leading[leading.length - 1]})`).test(nationalNumber)) continue;
    if (!new RegExp(`^(?:${format[0]})$`).test(nationalNumber)) continue;
    const international = (format[INTERNATIONAL_FORMAT_INDEX] as string | undefined) || format[1];
    // a format Google does not use internationally: the number goes out unformatted
    if (international === 'NA') return nationalNumber;
    return nationalNumber.replace(new RegExp(format[0]), international);
  }
  return nationalNumber;
}

function numberingPlanFormats(callingCode: string): RawFormat[] {
  const json = metadata as unknown as {
    country_calling_codes: Record<string, string[]>;
    countries: Record<string, unknown[]>;
    nonGeographic?: Record<string, unknown[]>;
  };
  const main = json.country_calling_codes[callingCode]?.[0];
  const plan = main ? json.countries[main] : json.nonGeographic?.[callingCode];
  const formats = plan?.[FORMATS_INDEX];
  return Array.isArray(formats) ? (formats as RawFormat[]) : [];
}
