/** Reading-list exports as reference managers write them, for the library's tests. */

/** As Zotero's "Export Collection… → BibTeX" writes it (tabs, {Braces} protecting case, LaTeX accents). */
export const ZOTERO_BIB = `
@misc{lambert_tulu_2025,
\ttitle = {Tulu 3: {Pushing} {Frontiers} in {Open} {Language} {Model} {Post}-{Training}},
\tshorttitle = {Tulu 3},
\turl = {http://arxiv.org/abs/2411.15124},
\tdoi = {10.48550/arXiv.2411.15124},
\tabstract = {Language model post-training is applied to refine behaviors. We introduce T\\"ULU 3, a family of open post-trained models, with reinforcement learning with verifiable rewards.},
\turldate = {2025-10-01},
\tpublisher = {arXiv},
\tauthor = {Lambert, Nathan and Morrison, Jacob and M\\"{u}ller, Anna},
\tmonth = apr,
\tyear = {2025},
\tnote = {arXiv:2411.15124 [cs]},
\tkeywords = {Computer Science - Computation and Language},
}

@article{rafailov_direct_2023,
\ttitle = {Direct {Preference} {Optimization}: {Your} {Language} {Model} is {Secretly} a {Reward} {Model}},
\tjournal = {arXiv preprint},
\tauthor = {Rafailov, Rafael},
\tyear = {2023},
\teprint = {2305.18290},
\tarchivePrefix = {arXiv},
}

@inproceedings{yao_react_2023,
\ttitle = {{ReAct}: Synergizing Reasoning and Acting in Language Models},
\tbooktitle = {ICLR},
\tyear = {2023},
}

@misc{no_title_2024,
\tauthor = {Someone, A.},
\tyear = {2024},
}
`;
