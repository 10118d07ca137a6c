package dev.tarjama.transforms.segment;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What particular data sets write: the GSM8K {@code ####} answer line, and JSON objects and
 * arrays that fill their lines (tool-call arguments and results).
 */
final class DatasetSpans extends SpanScanner {
  static final ObjectMapper JSON =
      new ObjectMapper().disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);

  static final int MAX_JSON = 1_000_000;

  static boolean parsesAsJsonContainer(String s) {
    try (JsonParser p = JSON.getFactory().createParser(s)) {
      JsonNode node = JSON.readTree(p);
      return node != null && node.isContainerNode() && p.nextToken() == null;
    } catch (Exception e) {
      return false;
    }
  }

  DatasetSpans(SpanScanner run) {
    super(run);
  }

  boolean isGsm8kAnswer(int j, int le) {
    if (!t.startsWith("####", j) || j + 4 >= le || !isHorizontalSpace(t.charAt(j + 4))) {
      return false;
    }
    boolean digit = false;
    for (int k = j + 4; k < le; k++) {
      char c = t.charAt(k);
      if (Character.isLetter(c)) {
        return false;
      }
      digit |= Character.isDigit(c);
    }
    return digit;
  }

  /**
   * The end of the bracket-balanced JSON-looking value at {@code j} (strings respected), or -1;
   * a blank line ends the search so that a stray bracket costs one paragraph, not the text.
   */
  int jsonEnd(int j) {
    int depth = 0;
    boolean inString = false;
    for (int k = j; k < n && k - j < MAX_JSON; k++) {
      char c = t.charAt(k);
      if (c == '\n' && k + 1 < n && isBlank(k + 1, lineEnd(k + 1))) {
        return -1;
      }
      if (inString) {
        if (c == '\\') {
          k++;
        } else if (c == '"') {
          inString = false;
        }
        continue;
      }
      if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        depth--;
        if (depth == 0) {
          return k + 1;
        }
      }
    }
    return -1;
  }
}
