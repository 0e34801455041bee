/**
 * The tree the policy reader (./policyReader) builds. Every node keeps its exact source range; values are raw
 * (XML entities are not decoded), because APIM's `rawxml` is not XML and rules must point at what was written.
 */
import type { LineMap, SourceRange } from '../../text/sourceRange';

export interface PolicyExpression {
  /** `single` is `@(…)`, `multi` is `@{…}`. */
  readonly kind: 'single' | 'multi';
  /** From the `@` to just past the closing delimiter. */
  readonly range: SourceRange;
  /** The C# between the delimiters, as written (XML entities are not decoded). */
  readonly code: string;
  readonly codeRange: SourceRange;
  readonly terminated: boolean;
}

export interface PolicyAttribute {
  readonly name: string;
  readonly nameRange: SourceRange;
  /** The raw value between the quotes (entities not decoded); `''` for a bare attribute. */
  readonly value: string;
  readonly valueRange: SourceRange;
  readonly quote: '"' | "'" | '';
  /** From the name to the closing quote. */
  readonly range: SourceRange;
  readonly expressions: readonly PolicyExpression[];
}

export interface PolicyText {
  readonly kind: 'text';
  readonly range: SourceRange;
  readonly text: string;
  readonly expressions: readonly PolicyExpression[];
}

export interface PolicyComment {
  readonly kind: 'comment';
  readonly range: SourceRange;
  /** The text between `<!--` and `-->`. */
  readonly text: string;
}

export interface PolicyCData {
  readonly kind: 'cdata';
  readonly range: SourceRange;
  readonly text: string;
  readonly textRange: SourceRange;
  readonly expressions: readonly PolicyExpression[];
}

export interface PolicyElement {
  readonly kind: 'element';
  readonly name: string;
  readonly nameRange: SourceRange;
  /** From `<` to the end of the closing tag (or of the start tag when self-closing or never closed). */
  range: SourceRange;
  readonly startTagRange: SourceRange;
  endTagRange: SourceRange | undefined;
  readonly selfClosing: boolean;
  readonly attributes: readonly PolicyAttribute[];
  readonly children: PolicyNode[];
  readonly parent: PolicyElement | undefined;
}

export type PolicyNode = PolicyElement | PolicyText | PolicyComment | PolicyCData;

export interface ReaderProblem {
  readonly message: string;
  readonly range: SourceRange;
}

export interface PolicyDocument {
  readonly text: string;
  readonly lines: LineMap;
  /** Top-level nodes. */
  readonly nodes: readonly PolicyNode[];
  /** Every element, in document order. */
  readonly elements: readonly PolicyElement[];
  /** Every expression (attribute values, text and CDATA), in document order. */
  readonly expressions: readonly PolicyExpression[];
  readonly comments: readonly PolicyComment[];
  readonly problems: readonly ReaderProblem[];
}
