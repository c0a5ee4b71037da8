/**
 * Escapes text for an XML attribute or element. Characters XML 1.0 cannot carry at all (control
 * characters other than tab, newline and carriage return, lone surrogates, U+FFFE and U+FFFF) are
 * written as a visible `\u{…}` so a reader sees what the value held instead of a parser error.
 */
export function xmlText(text: string): string {
  let out = '';
  for (const char of text) {
    // Iterating a string yields whole code points, and a lone surrogate on its own.
    const code = char.codePointAt(0) ?? 0;
    if (char === '&') out += '&amp;';
    else if (char === '<') out += '&lt;';
    else if (char === '>') out += '&gt;';
    else if (char === '"') out += '&quot;';
    else if (char === "'") out += '&apos;';
    // Attribute values normalise raw whitespace to spaces; keep them as character references.
    else if (char === '\n') out += '&#10;';
    else if (char === '\r') out += '&#13;';
    else if (char === '\t') out += '&#9;';
    else if (allowed(code)) out += char;
    else out += `\\u{${code.toString(16).toUpperCase()}}`;
  }
  return out;
}

function allowed(code: number): boolean {
  return (
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}
