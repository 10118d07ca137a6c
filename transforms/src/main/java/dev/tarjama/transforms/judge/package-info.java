/**
 * Judging parallel pairs (Hala's OPUS-100 filter): {@link
 * dev.tarjama.transforms.judge.ReadParallelPairs} reads TSV, JSONL (OPUS-100 {@code translation}
 * records) or Moses-style file pairs into {@link dev.tarjama.transforms.judge.ParallelPair}s;
 * {@link dev.tarjama.transforms.judge.JudgeParallelPairs} asks an OpenAI-compatible model a strict
 * accept/reject question per pair ({@link dev.tarjama.transforms.judge.JudgePrompt}) and reads the
 * answer strictly ({@link dev.tarjama.transforms.judge.VerdictParser}); {@link
 * dev.tarjama.transforms.judge.WriteJudgeOutputs} and {@link
 * dev.tarjama.transforms.judge.SummarizeJudgement} write the outputs and count them.
 */
package dev.tarjama.transforms.judge;
