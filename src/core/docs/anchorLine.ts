/**
 * The 1-based line a Markdown anchor points at in our shipped docs: the heading after `<a id="…"></a>`, or a heading
 * whose text is the id in a code span (`### \`apim.policy.x\``). Undefined when the docs have no such anchor.
 */
export function anchorLine(markdown: string, anchor: string): number | undefined {
  const lines = markdown.split(/\r?\n/);
  const marker = lines.findIndex((line) => line.trim() === `<a id="${anchor}"></a>`);
  if (marker >= 0) {
    const heading = lines.findIndex((line, i) => i > marker && /^#{1,6}\s/.test(line));
    return (heading >= 0 && heading <= marker + 2 ? heading : marker) + 1;
  }
  const heading = lines.findIndex((line) => /^#{1,6}\s/.test(line) && line.replace(/^#{1,6}\s+/, '').trim() === `\`${anchor}\``);
  return heading >= 0 ? heading + 1 : undefined;
}
