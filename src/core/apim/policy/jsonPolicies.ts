/**
 * Finds APIM policy XML in the string values of an ARM template or any JSON file
 * (`"value": "<policies>\r\n\t<inbound>…"`), decoding JSON escapes with offsets that point back into the file.
 */
import { encodeDoubleQuoted, holdsPolicy, readDoubleQuoted, type EmbeddedPolicySegment } from './embeddedSegment';

const JSON_ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', '\\': '\\', '/': '/' };

export function extractJsonPolicies(source: string): EmbeddedPolicySegment[] {
  const segments: EmbeddedPolicySegment[] = [];
  let i = source.indexOf('"');
  while (i >= 0 && i < source.length) {
    const literal = readDoubleQuoted(source, i + 1, JSON_ESCAPES, false);
    if (holdsPolicy(literal.decoded.text)) segments.push(literal.decoded.segment(literal.close, (t) => encodeDoubleQuoted(t, false)));
    i = source.indexOf('"', literal.close + 1);
  }
  return segments;
}
