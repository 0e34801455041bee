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
  private readonly lineStarts: number[];

  constructor(private readonly text: string) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.lineStarts = starts;
  }

  positionAt(offset: number): SourcePosition {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid]! <= clamped) low = mid;
      else high = mid - 1;
    }
    return { line: low, column: clamped - this.lineStarts[low]! };
  }

  range(start: number, end: number): SourceRange {
    return { start, end, startPos: this.positionAt(start), endPos: this.positionAt(end) };
  }
}
