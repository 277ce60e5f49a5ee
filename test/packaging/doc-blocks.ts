// The runnable code blocks of a Markdown page: a fenced block directly after a
// `<!-- file: NAME -->` line is the content of NAME. Lets a test run the docs as written.

export function codeBlocks(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /<!-- file: ([\w.-]+) -->\s*\n```[\w-]*\n([\s\S]*?)\n```/g;
  for (const m of markdown.matchAll(re)) {
    const [, name, code] = m;
    if (name !== undefined && code !== undefined) out.set(name, `${code}\n`);
  }
  return out;
}
