// Prints, as one JSON object, what JavaScript's String.prototype.toUpperCase/toLowerCase do (this Node's V8 and
// Unicode data): every code point (surrogates excluded) whose upper or lower case is not itself, the code point
// ranges of the Cased and Case_Ignorable properties (which decide the final-sigma rule of toLowerCase), and strings
// that exercise the final sigma in context. Run by JsCaseMappingTests.Regenerate_from_node (an [Explicit] test), which keeps only the
// code points where JavaScript differs from .NET's invariant mapping, and writes PowerSync.Core/SyncRules/Expressions/JsCaseTables.g.cs:
// dotnet test PowerSync.Tests -c Release --filter "FullyQualifiedName~JsCaseMappingTests.Regenerate_from_node"
const mappings = [];
for (let cp = 0; cp <= 0x10ffff; cp++) {
  if (cp >= 0xd800 && cp <= 0xdfff) continue;
  const s = String.fromCodePoint(cp);
  const upper = s.toUpperCase();
  const lower = s.toLowerCase();
  if (upper !== s || lower !== s) mappings.push([cp, upper, lower]);
}

function ranges(regex) {
  const out = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    if (!regex.test(String.fromCodePoint(cp))) continue;
    const last = out[out.length - 1];
    if (last && last[1] === cp - 1) last[1] = cp;
    else out.push([cp, cp]);
  }
  return out;
}

// Final sigma (U+03A3): lower case depends on cased letters before and after it, skipping case-ignorable ones.
const parts = ['', 'Α', 'a', '1', ' ', "'", '.', ':', '\u0301', '\u00AD', 'ª', 'ʰ', '\u2019', 'Σ', '😀', '𝐀', '\u0345', 'İ'];
const strings = [];
for (const a of parts) for (const b of parts) strings.push(`${a}Σ${b}`);
for (const a of ['Α', 'a', '1', 'ª']) for (const b of ["'", '\u0301', '.', 'ʰ']) strings.push(`${a}${b}Σ`, `${a}Σ${b}${a}`, `Σ${b}${a}`);
strings.push('ΟΔΥΣΣΕΥΣ', 'ΣΑΣ ΣΑΣ. Σ', 'ὈΔΥΣΣΕΎΣ', 'AΣ\u0301\u0301B', 'AΣ\u0301\u0301', 'aΣ\u200D', 'a\u200DΣ', 'ßtraße ﬁ İ', 'a😀b');
const contexts = [...new Set(strings)].map((s) => [s, s.toUpperCase(), s.toLowerCase()]);

process.stdout.write(
  JSON.stringify({
    node: process.version,
    unicode: process.versions.unicode,
    mappings,
    cased: ranges(/^\p{Cased}$/u),
    caseIgnorable: ranges(/^\p{Case_Ignorable}$/u),
    contexts
  })
);
