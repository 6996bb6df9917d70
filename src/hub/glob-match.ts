/**
 * Python's fnmatch.translate, as huggingface_hub's allow_patterns / ignore_patterns use it: `*` and `?` also
 * match "/", `[seq]` and `[!seq]` classes, case-sensitive (posix); a pattern ending in "/" matches everything
 * below that folder (huggingface_hub appends "*").
 */
export function globToRegExp(pattern: string): RegExp {
  const p = pattern.endsWith("/") ? `${pattern}*` : pattern;
  let re = "";
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else if (c === "[") {
      // As fnmatch: a "]" right after "[" or "[!" is a member, not the end of the class.
      let j = i + 1;
      if (p[j] === "!") j++;
      if (p[j] === "]") j++;
      while (j < p.length && p[j] !== "]") j++;
      if (j >= p.length) {
        re += "\\[";
        continue;
      }
      let body = p.slice(i + 1, j).replace(/\\/g, "\\\\");
      if (body.startsWith("!")) body = `^${body.slice(1)}`;
      else if (body.startsWith("^")) body = `\\${body}`;
      re += `[${body.replace(/\]/g, "\\]").replace(/\[/g, "\\[")}]`;
      i = j;
    } else re += c.replace(/[.+^${}()|\\/\]]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "s");
}

/** A pattern without wildcards names exactly one path. */
export function isLiteralPattern(pattern: string): boolean {
  return !/[*?[]/.test(pattern) && !pattern.endsWith("/");
}

/** Paths kept by huggingface_hub's filter_repo_objects: matching some include (or none given) and no exclude. */
export function filterPaths(paths: string[], include: string[], exclude: string[]): string[] {
  const inc = include.map(globToRegExp);
  const exc = exclude.map(globToRegExp);
  return paths.filter((p) => (inc.length === 0 || inc.some((r) => r.test(p))) && !exc.some((r) => r.test(p)));
}
