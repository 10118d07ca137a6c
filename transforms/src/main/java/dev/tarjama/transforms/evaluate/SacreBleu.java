package dev.tarjama.transforms.evaluate;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@link Bleu} and {@link ChrF} share with sacreBLEU: the version whose definitions they
 * follow (written into their signatures), and its corpus layout.
 *
 * <p>The definitions have not changed since sacreBLEU 2.0.0; {@link #VERSION} names the release
 * whose repository (mjpost/sacrebleu, tag v2.6.0, 2026-01-12) the implementation was read from and
 * whose published test cases ({@code test/test_bleu.py}, {@code test/test_sentence_bleu.py},
 * {@code test/test_chrf.py}) the unit tests pin.
 */
public final class SacreBleu {
  /** The sacreBLEU release these metrics match, as its signatures write it. */
  public static final String VERSION = "2.6.0";

  private SacreBleu() {}

  /** Segment {@code i}'s references from sacreBLEU's layout: one list per reference set. */
  static List<String> referencesOf(List<List<String>> referenceStreams, int i) {
    List<String> references = new ArrayList<>(referenceStreams.size());
    for (List<String> stream : referenceStreams) {
      references.add(stream.get(i));
    }
    return references;
  }
}
