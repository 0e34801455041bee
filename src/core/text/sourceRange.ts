/** Zero-based line and column; columns count UTF-16 code units, as VS Code's `Position` does. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** A half-open span `[start, end)` of source offsets, with the matching line/column positions. */
export interface SourceRange {
  readonly start: number;
  readonly end: number;
  readonly startPos: SourcePosition;
  readonly endPos: SourcePosition;
}

/** Offsets to line/column for one text; line starts are computed once. */
export class LineMap {
  /** Line starts, found on the first position asked for: most documents are read without one. */
  private starts: number[] | undefined;

  constructor(private readonly text: string) {}

  private get lineStarts(): number[] {
    if (this.starts) return this.starts;
    const { text } = this;
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.starts = starts;
    return starts;
  }

  positionAt(offset: number): SourcePosition {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    const lineStarts = this.lineStarts;
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (lineStarts[mid]! <= clamped) low = mid;
      else high = mid - 1;
    }
    return { line: low, column: clamped - lineStarts[low]! };
  }

  range(start: number, end: number): SourceRange {
    return { start, end, startPos: this.positionAt(start), endPos: this.positionAt(end) };
  }

  /**
   * The same range, with line/column worked out only when asked. The reader makes several ranges per node and rules
   * look at few of them, so this saves most of the line lookups (and their garbage).
   */
  lazyRange(start: number, end: number): SourceRange {
    return new LazyRange(this, start, end);
  }
}

class LazyRange implements SourceRange {
  readonly #lines: LineMap;
  #startPos: SourcePosition | undefined;
  #endPos: SourcePosition | undefined;

  constructor(
    lines: LineMap,
    readonly start: number,
    readonly end: number,
  ) {
    this.#lines = lines;
  }

  get startPos(): SourcePosition {
    return (this.#startPos ??= this.#lines.positionAt(this.start));
  }

  get endPos(): SourcePosition {
    return (this.#endPos ??= this.#lines.positionAt(this.end));
  }

  toJSON(): { start: number; end: number; startPos: SourcePosition; endPos: SourcePosition } {
    return { start: this.start, end: this.end, startPos: this.startPos, endPos: this.endPos };
  }
}
