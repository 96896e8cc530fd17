import { domainToASCII } from 'node:url';

// Django's EmailValidator, which RapidPro uses for mailto paths: a dot-atom or quoted local part,
// and a domain that is `localhost`, a dotted hostname with an alphabetic-ish TLD (after IDNA
// encoding), or a bracketed IP literal.
const DOT_ATOM = /^[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*$/i;
const QUOTED = /^"([\x01-\x08\x0b\x0c\x0e-\x1f!#-[\]-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])*"$/i;
const HOSTNAME = /^((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+)(?:[a-z0-9-]{2,63})$/i;
const LITERAL = /^\[([A-F0-9:.]+)\]$/i;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

const MAX_EMAIL_LENGTH = 320;

export function isValidEmail(value: string): boolean {
  if (value.length === 0 || value.length > MAX_EMAIL_LENGTH) return false;
  const at = value.lastIndexOf('@');
  if (at < 1) return false;
  const user = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (!DOT_ATOM.test(user) && !QUOTED.test(user)) return false;
  return isValidDomain(domain);
}

function isValidDomain(domain: string): boolean {
  if (domain === 'localhost') return true;
  if (isHostname(domain)) return true;
  const literal = LITERAL.exec(domain);
  if (literal) return isIPLiteral(literal[1]);
  const ascii = /[^\x00-\x7f]/.test(domain) ? domainToASCII(domain) : '';
  return ascii !== '' && isHostname(ascii);
}

function isHostname(domain: string): boolean {
  // a TLD may not end with a hyphen
  return HOSTNAME.test(domain) && !domain.endsWith('-');
}

function isIPLiteral(address: string): boolean {
  if (IPV4.test(address)) return true;
  return address.includes(':') && domainToASCII(`[${address}]`) !== '';
}
