package dev.tarjama.models.tokenize;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/** Added tokens matched leftmost-longest, as tokenizers' AddedVocabulary does. */
final class AddedTokens {
  private final Map<Character, String[]> byFirst = new HashMap<>();

  AddedTokens(List<String> tokens) {
    Map<Character, List<String>> grouped = new HashMap<>();
    for (String t : tokens) {
      grouped.computeIfAbsent(t.charAt(0), c -> new ArrayList<>()).add(t);
    }
    grouped.forEach((c, list) -> {
      String[] sorted = list.toArray(String[]::new);
      Arrays.sort(sorted, (a, b) -> Integer.compare(b.length(), a.length()));
      byFirst.put(c, sorted);
    });
  }

  boolean isEmpty() {
    return byFirst.isEmpty();
  }

  /** {start, end} of the first added token at or after {@code from}, the longest there; or null. */
  int[] next(String text, int from) {
    if (byFirst.isEmpty()) {
      return null;
    }
    for (int i = from; i < text.length(); i++) {
      String[] candidates = byFirst.get(text.charAt(i));
      if (candidates == null) {
        continue;
      }
      for (String t : candidates) {
        if (text.startsWith(t, i)) {
          return new int[] {i, i + t.length()};
        }
      }
    }
    return null;
  }

  /**
   * The tokens of {@code text}: one per added token in it, and what {@code between} counts for
   * each stretch of text between them.
   */
  int count(String text, ToIntFunction<String> between) {
    int total = 0;
    int start = 0;
    for (int[] hit = next(text, 0); ; hit = next(text, hit[1])) {
      int end = hit == null ? text.length() : hit[0];
      if (end > start) {
        total += between.applyAsInt(text.substring(start, end));
      }
      if (hit == null) {
        return total;
      }
      total++;
      start = hit[1];
    }
  }
}
