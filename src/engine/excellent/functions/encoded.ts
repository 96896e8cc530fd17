// Encoded text and JSON functions: urn_parts, attachment_parts, json, parse_json.
import { parseJSONText, toJSONText } from '../convert.ts';
import { parseURN } from '../urns.ts';
import { XError, XObject } from '../values.ts';
import { oneArg, oneText } from './args.ts';

oneText('urn_parts', (_env, urn) => {
  const p = parseURN(urn);
  if ('error' in p) return new XError(`${urn} is not a valid URN: ${p.error}`);
  return new XObject({ scheme: p.scheme, path: p.path, display: p.display });
});

const CONTENT_TYPE = /^(image|audio|video|application|geo|unavailable|([A-Za-z0-9_]+\/[-+.A-Za-z0-9_]+))$/;

/** Splits `type:url` attachments; an unknown prefix means the whole text is the URL. */
export function attachmentParts(a: string): { contentType: string; url: string } {
  const i = a.indexOf(':');
  if (i >= 0) {
    const t = a.slice(0, i).toLowerCase();
    if (CONTENT_TYPE.test(t)) return { contentType: t, url: a.slice(i + 1) };
  }
  return { contentType: '', url: a };
}

oneText('attachment_parts', (_env, a) => {
  const { contentType, url } = attachmentParts(a);
  return new XObject({ content_type: contentType, url });
});

oneArg('json', (_env, v) => toJSONText(v));
oneText('parse_json', (_env, s) => parseJSONText(s));
