package dev.tarjama.transforms.judge;

/** What the judge said about a pair, as {@link VerdictParser} reads its answer. */
public enum Verdict {
  /** The answer was exactly ACCEPT (see {@link VerdictParser} for the grammar). */
  ACCEPT,
  /** The answer was exactly REJECT. */
  REJECT,
  /** Anything else: kept apart with the raw answer, never guessed. */
  UNDECIDED
}
