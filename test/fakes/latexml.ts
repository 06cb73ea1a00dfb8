/**
 * Long papers in arXiv's HTML (LaTeXML) shape, written for the full-text tests and the faithfulness bench: the page
 * chrome, `article.ltx_document`, `section.ltx_section` with `h2.ltx_title` and `span.ltx_tag`, `div.ltx_para`,
 * `section.ltx_subsection`, inline `math` with `alttext`, `figure.ltx_table` with its `figcaption` and a
 * `table.ltx_tabular` (`thead.ltx_thead`/`tbody.ltx_tbody`, `tr.ltx_tr`, `th`/`td.ltx_td`), `figure.ltx_figure`
 * with an image, `section.ltx_bibliography`, and `section.ltx_appendix` after it, as arXiv serves them.
 *
 * Three papers of about 100,000 characters each, every one with its results table in section 4 and its conclusion in
 * section 5, behind long related-work and method sections, so a cut from the start loses both.
 */
import type { Paper } from '../../src/app/types';
import { xmlEscape } from './arxiv-server';

export interface LongTable {
  caption: string;
  header: string[];
  rows: string[][];
}

export interface LongSection {
  title: string;
  paragraphs: string[];
  tables?: LongTable[];
  subsections?: Array<{ title: string; paragraphs: string[] }>;
  /** Rendered as an appendix (after the bibliography, `Appendix A` tags). */
  appendix?: boolean;
}

export interface LongPaper {
  paper: Paper;
  sections: LongSection[];
  /** The numbers of the results table (section 4), as printed. */
  tableNumbers: string[];
  /** The conclusion's sentences (section 5). */
  conclusion: string[];
}

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

const FRAMES = [
  'We observe that {a} interacts with {b} in ways that earlier analyses of {c} did not anticipate.',
  'A closer look at {a} shows that {b} accounts for most of the variance we measure across {c}.',
  'Following common practice, we treat {a} as fixed and vary {b} while keeping {c} unchanged.',
  'This design choice matters because {a} is sensitive to {b}, especially when {c} is scarce.',
  'Prior studies of {a} relied on {b}, which limits what can be concluded about {c}.',
  'In our setting {a} is computed once per batch, so the cost of {b} is amortized over {c}.',
  'The intuition is simple: when {a} is reliable, {b} can be trusted to guide {c}.',
  'We report the mean over three seeds, and the spread of {a} stays small compared with the effect of {b} on {c}.',
  'Unlike approaches that tune {a} by hand, we derive {b} from the statistics of {c}.',
  'Several works combine {a} with {b}; none of them evaluates the combination on {c}.',
  'The same pattern holds for {a}, although {b} narrows the gap on {c}.',
  'We therefore keep {a} in every configuration and study {b} as a function of {c}.',
];

/** Deterministic, varied prose about `terms`: `count` paragraphs of 5–7 sentences. */
function prose(terms: string[], count: number, seed: number): string[] {
  const rand = prng(seed);
  const pick = () => terms[Math.floor(rand() * terms.length)] ?? 'the method';
  const out: string[] = [];
  for (let p = 0; p < count; p++) {
    const n = 5 + Math.floor(rand() * 3);
    const sents: string[] = [];
    for (let i = 0; i < n; i++) {
      const frame = FRAMES[Math.floor(rand() * FRAMES.length)] ?? FRAMES[0] ?? '';
      const s = frame.replace('{a}', pick()).replace('{b}', pick()).replace('{c}', pick());
      sents.push(s.charAt(0).toUpperCase() + s.slice(1));
    }
    out.push(sents.join(' '));
  }
  return out;
}

function esc(s: string): string {
  return xmlEscape(s);
}

/** Plain text with `$…$` spans rendered as LaTeXML inline math (MathML plus its TeX in `alttext`). */
function withMath(text: string, id: string): string {
  let n = 0;
  return text
    .split(/(\$[^$]+\$)/)
    .map((part) => {
      if (!part.startsWith('$')) return esc(part);
      const tex = part.slice(1, -1);
      n += 1;
      return `<math id="${id}.m${n}" class="ltx_Math" alttext="${esc(tex)}" display="inline"><semantics><mi>x</mi><annotation encoding="application/x-tex">${esc(tex)}</annotation></semantics></math>`;
    })
    .join('');
}

function tableHtml(t: LongTable, id: string, n: number): string {
  const head = `<thead class="ltx_thead"><tr class="ltx_tr">${t.header
    .map((h) => `<th class="ltx_td ltx_align_center ltx_th ltx_th_column ltx_border_tt">${withMath(h, `${id}.h`)}</th>`)
    .join('')}</tr></thead>`;
  const body = `<tbody class="ltx_tbody">${t.rows
    .map(
      (r, i) =>
        `<tr class="ltx_tr">${r
          .map(
            (c, j) =>
              `<td class="ltx_td ltx_align_${j === 0 ? 'left' : 'center'}">${i === 0 && j > 0 ? `<span class="ltx_text ltx_font_bold">${esc(c)}</span>` : withMath(c, `${id}.r${i}`)}</td>`,
          )
          .join('')}</tr>`,
    )
    .join('')}</tbody>`;
  return `<figure id="${id}" class="ltx_table">
<figcaption class="ltx_caption ltx_centering"><span class="ltx_tag ltx_tag_table">Table ${n}: </span>${esc(t.caption)}</figcaption>
<table id="${id}.1" class="ltx_tabular ltx_centering ltx_guessed_headers ltx_align_middle">${head}${body}</table>
</figure>`;
}

function paras(paragraphs: string[], prefix: string): string {
  return paragraphs
    .map(
      (p, i) =>
        `<div id="${prefix}.p${i + 1}" class="ltx_para"><p class="ltx_p">${withMath(p, `${prefix}.p${i + 1}`)}</p></div>`,
    )
    .join('\n');
}

/** The paper as arXiv's HTML: chrome, title, authors, abstract, sections, bibliography, appendices. */
export function latexmlHtml(long: LongPaper): string {
  const p = long.paper;
  let tableNo = 0;
  let sectionNo = 0;
  let appendixNo = 0;
  const section = (s: LongSection) => {
    const appendix = !!s.appendix;
    const tag = appendix ? String.fromCharCode(65 + appendixNo++) : String(++sectionNo);
    const id = appendix ? `A${appendixNo}` : `S${sectionNo}`;
    const subs = (s.subsections ?? [])
      .map(
        (sub, k) => `<section id="${id}.SS${k + 1}" class="ltx_subsection">
<h3 class="ltx_title ltx_title_subsection"><span class="ltx_tag ltx_tag_subsection">${tag}.${k + 1} </span>${esc(sub.title)}</h3>
${paras(sub.paragraphs, `${id}.SS${k + 1}`)}
</section>`,
      )
      .join('\n');
    const tables = (s.tables ?? []).map((t, k) => tableHtml(t, `${id}.T${k + 1}`, ++tableNo)).join('\n');
    // Tables sit after the section's first paragraphs, as LaTeX floats usually land.
    const lead = s.paragraphs.slice(0, 2);
    const rest = s.paragraphs.slice(2);
    return `<section id="${id}" class="${appendix ? 'ltx_appendix' : 'ltx_section'}">
<h2 class="ltx_title ltx_title_${appendix ? 'appendix' : 'section'}"><span class="ltx_tag ltx_tag_${appendix ? 'appendix' : 'section'}">${appendix ? `Appendix ${tag} ` : `${tag} `}</span>${esc(s.title)}</h2>
${paras(lead, id)}
${tables}
${paras(rest, `${id}b`)}
${subs}
<figure id="${id}.F1" class="ltx_figure"><img src="x${id}.png" id="${id}.F1.g1" class="ltx_graphics" alt="Refer to caption"/><figcaption class="ltx_caption"><span class="ltx_tag ltx_tag_figure">Figure ${tag}: </span>Overview of ${esc(s.title.toLowerCase())}.</figcaption></figure>
</section>`;
  };
  const main = long.sections.filter((s) => !s.appendix).map(section);
  const appendices = long.sections.filter((s) => s.appendix).map(section);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<title>${esc(p.title)}</title>
<link rel="stylesheet" href="https://arxiv.org/static/browse/0.3.4/css/ar5iv.0.7.9.min.css"/>
<script>window.MathJax = {};</script>
</head>
<body>
<header class="mob_header"><nav class="ltx_page_navbar"><a href="https://arxiv.org/">Back to arXiv</a> Report issue</nav></header>
<div class="ltx_page_main">
<div class="ltx_page_content">
<article class="ltx_document ltx_authors_1line">
<h1 class="ltx_title ltx_title_document">${esc(p.title)}</h1>
<div class="ltx_authors"><span class="ltx_creator ltx_role_author"><span class="ltx_personname">${esc(p.authors.join(', '))}</span></span></div>
<div class="ltx_abstract">
<h6 class="ltx_title ltx_title_abstract">Abstract</h6>
<p id="id1.id1" class="ltx_p">${esc(p.abstract)}</p>
</div>
${main.join('\n')}
<section id="bib" class="ltx_bibliography">
<h2 class="ltx_title ltx_title_bibliography">References</h2>
<ul class="ltx_biblist">${Array.from({ length: 40 }, (_, i) => `<li id="bib.bib${i + 1}" class="ltx_bibitem"><span class="ltx_tag ltx_role_refnum ltx_tag_bibitem">[${i + 1}]</span><span class="ltx_bibblock">A. Author${i}. A referenced work on ${esc(p.title.split(' ')[i % 4] ?? 'models')}. 2024.</span></li>`).join('\n')}</ul>
</section>
${appendices.join('\n')}
</article>
</div>
<footer class="ltx_page_footer"><div class="ltx_page_logo">Generated by LaTeXML</div></footer>
</div>
</body>
</html>`;
}

interface Spec {
  id: string;
  title: string;
  authors: string[];
  abstract: string;
  terms: string[];
  methodTerms: string[];
  table: LongTable;
  appendixTable: LongTable;
  conclusion: string[];
}

function build(spec: Spec, seed: number): LongPaper {
  const numbers = spec.table.rows.flatMap((r) => r.slice(1)).filter((c) => /\d/.test(c));
  const sections: LongSection[] = [
    { title: 'Introduction', paragraphs: prose(spec.terms, 14, seed + 1) },
    { title: 'Related Work', paragraphs: prose(spec.terms, 38, seed + 2) },
    {
      title: 'Method',
      paragraphs: prose(spec.methodTerms, 14, seed + 3),
      subsections: [
        { title: 'Objective', paragraphs: prose(spec.methodTerms, 12, seed + 4) },
        { title: 'Training Procedure', paragraphs: prose(spec.methodTerms, 12, seed + 5) },
      ],
    },
    {
      title: 'Experiments',
      paragraphs: prose(spec.terms, 18, seed + 6),
      tables: [spec.table],
      subsections: [{ title: 'Setup', paragraphs: prose(spec.terms, 8, seed + 7) }],
    },
    { title: 'Conclusion and Limitations', paragraphs: [spec.conclusion.join(' ')] },
    { title: 'Analysis', paragraphs: prose(spec.terms, 8, seed + 8), appendix: true },
    {
      title: 'Additional Results',
      paragraphs: prose(spec.terms, 22, seed + 9),
      tables: [spec.appendixTable],
      appendix: true,
    },
  ];
  return {
    paper: {
      id: spec.id,
      version: 1,
      title: spec.title,
      authors: spec.authors,
      abstract: spec.abstract,
      categories: ['cs.CL', 'cs.LG'],
      primaryCategory: 'cs.CL',
    },
    sections,
    tableNumbers: numbers,
    conclusion: spec.conclusion,
  };
}

/** The three long papers: curriculum RL for reasoning, retrieval adapters, preference optimization under noise. */
export function longPapers(): LongPaper[] {
  return [
    build(
      {
        id: '2510.90001',
        title: 'Staged Curriculum Reinforcement Learning for Multi-Domain Reasoning',
        authors: ['Mira Okafor', 'Tomas Lindqvist', 'Wen Zhao'],
        abstract:
          'We study whether a staged curriculum of verifiable rewards transfers mathematical reasoning to other domains. A short math-only stage followed by joint training on six domains improves a 7B model on every domain we test.',
        terms: [
          'the curriculum schedule',
          'verifiable rewards',
          'the math-only stage',
          'cross-domain transfer',
          'the policy entropy',
          'the reward model',
          'the rollout budget',
          'the evaluation suite',
        ],
        methodTerms: [
          'the clipped objective',
          'group-normalized advantages',
          'the KL penalty $\\beta\\,D_{\\mathrm{KL}}$',
          'the stage boundary',
          'the sampling temperature',
          'the rollout group size',
        ],
        table: {
          caption: 'Accuracy (%) of 7B models on six reasoning domains; best in bold.',
          header: ['Model', 'MATH', 'GSM8K', 'HumanEval', 'LogiQA', 'SciQ', 'Avg'],
          rows: [
            ['Staged curriculum (ours)', '71.4', '89.7', '62.8', '48.3', '83.9', '71.2'],
            ['Joint RL only', '66.2', '87.1', '58.4', '45.0', '81.6', '67.7'],
            ['Math RL only', '69.8', '88.5', '51.3', '41.7', '78.2', '65.9'],
            ['SFT baseline', '58.9', '82.4', '49.6', '39.8', '76.5', '61.4'],
          ],
        },
        appendixTable: {
          caption: 'Sensitivity to the length of the math-only stage (steps).',
          header: ['Steps', 'MATH', 'LogiQA'],
          rows: [
            ['100', '70.1', '47.2'],
            ['200', '71.4', '48.3'],
            ['400', '71.0', '46.9'],
          ],
        },
        conclusion: [
          'A math-only stage of 200 steps before joint training lifts the average accuracy from 67.7 to 71.2 points.',
          'The gain is largest on code, where HumanEval rises by 4.4 points over joint training alone.',
          'Our study is limited to 7B models and six domains, and we did not test whether the recipe holds at larger scale.',
        ],
      },
      101,
    ),
    build(
      {
        id: '2510.90002',
        title: 'Sparse Retrieval Adapters for Long-Context Question Answering',
        authors: ['Priya Raman', 'Jonas Weber'],
        abstract:
          'Sparse retrieval adapters select a few passages from a long context before the decoder reads them. On open-domain question answering they keep the accuracy of full attention at a fraction of its latency.',
        terms: [
          'the sparse adapter',
          'passage selection',
          'the long context',
          'full attention',
          'the retrieval budget',
          'decoder latency',
          'the exact-match score',
          'the passage encoder',
        ],
        methodTerms: [
          'the top-$k$ gate',
          'the straight-through estimator',
          'the adapter rank $r$',
          'passage embeddings',
          'the selection temperature',
          'the distillation loss',
        ],
        table: {
          caption: 'Exact match on open-domain QA and decoding latency with 32k-token contexts.',
          header: ['Method', 'NQ EM', 'TriviaQA EM', 'HotpotQA F1', 'Latency (ms)'],
          rows: [
            ['Sparse adapter, k=8 (ours)', '47.3', '68.9', '61.5', '212'],
            ['Full attention', '47.9', '69.4', '62.2', '1184'],
            ['BM25 top-8', '41.6', '63.0', '54.8', '198'],
            ['Sliding window', '38.2', '59.7', '49.1', '406'],
          ],
        },
        appendixTable: {
          caption: 'Effect of the adapter rank.',
          header: ['Rank', 'NQ EM'],
          rows: [
            ['4', '45.8'],
            ['16', '47.3'],
          ],
        },
        conclusion: [
          'Selecting eight passages with a sparse adapter keeps exact match within 0.6 points of full attention on Natural Questions.',
          'Decoding is 5.6 times faster than full attention at 32k tokens of context.',
          'The adapter still trails full attention on multi-hop questions, and we leave contexts beyond 128k tokens to future work.',
        ],
      },
      202,
    ),
    build(
      {
        id: '2510.90003',
        title: 'Calibrated Preference Optimization under Label Noise',
        authors: ['Lucia Ferraro', 'Daniel Kim', 'Aiko Tanaka', 'Sam Osei'],
        abstract:
          'Preference data collected from annotators is noisy. We weight each comparison by an estimate of its reliability and show that the resulting calibrated objective is more robust than direct preference optimization.',
        terms: [
          'annotator agreement',
          'the preference margin',
          'label noise',
          'the calibrated objective',
          'direct preference optimization',
          'the reliability estimate',
          'the win rate',
          'expected calibration error',
        ],
        methodTerms: [
          'the Bradley-Terry likelihood',
          'the reliability weight $w_i$',
          'the reference policy',
          'the temperature $\\beta$',
          'the noise transition matrix',
          'the margin threshold',
        ],
        table: {
          caption: 'Results with 20% flipped preference labels (Llama-3-8B).',
          header: ['Method', 'AlpacaEval LC', 'MT-Bench', 'ECE'],
          rows: [
            ['Calibrated PO (ours)', '31.7', '7.42', '0.048'],
            ['DPO', '24.9', '6.95', '0.121'],
            ['IPO', '26.3', '7.01', '0.097'],
            ['cDPO', '28.4', '7.18', '0.083'],
          ],
        },
        appendixTable: {
          caption: 'Win rate as a function of the noise rate.',
          header: ['Noise', 'Ours', 'DPO'],
          rows: [
            ['0%', '33.0', '32.1'],
            ['40%', '27.5', '18.3'],
          ],
        },
        conclusion: [
          'Weighting comparisons by their estimated reliability raises the length-controlled win rate from 24.9 to 31.7 when a fifth of the labels are flipped.',
          'Calibration improves as well, with the expected calibration error falling from 0.121 to 0.048.',
          'We assume that label noise is independent of the prompt, which real annotation pipelines may violate.',
        ],
      },
      303,
    ),
  ];
}
