package dev.tarjama.transforms.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * The one Jackson configuration used to parse and print records. Decimals stay exact ({@code 1.10}
 * prints back as {@code 1.10}, not {@code 1.1}) because extra fields must survive a round trip
 * untouched, and trailing garbage after a value is an error rather than silently ignored; so is a
 * key given twice in one object (keeping either value would lose the other without a word).
 */
public final class RecordJson {
  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  /** For reading one value after another from a stream (a JSON array's elements). */
  static final ObjectMapper STREAMING =
      MAPPER.copy().disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private RecordJson() {}

  public static JsonNode parse(String json) throws JsonProcessingException {
    return MAPPER.readTree(json);
  }

  public static String print(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a Jackson tree could not be printed", e);
    }
  }

  /** " (column C)" for a single-line parse, from the error's location when it has one. */
  static String where(JsonProcessingException e) {
    return e.getLocation() == null ? "" : " (column " + e.getLocation().getColumnNr() + ")";
  }

  /** Jackson's message without the source excerpt it appends ("at [Source: …]"). */
  static String message(JsonProcessingException e) {
    String m = e.getOriginalMessage();
    return m == null ? e.getClass().getSimpleName() : m.replace('\n', ' ');
  }
}
