package dev.tarjama.transforms.judge;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.domain.DeadLetter;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Turns one line (or, for Moses-style corpora, one line of each file) into a {@link ParallelPair},
 * or says exactly what is wrong with it. Blank lines are not pairs (skipped, not counted); a line
 * with an empty or missing side is a {@link DeadLetter} of stage {@value #STAGE} naming the file
 * and line ({@code recordId} = {@code file:line}) and the field ({@code /en}, {@code /ar} or the
 * JSONL pointer), with the line itself as the original.
 *
 * <ul>
 *   <li>TSV: columns named in order, {@code en}, {@code ar}, {@code id} or {@code -} (ignored);
 *       default {@code en,ar} (Tatoeba/Anki files: English, Arabic, attribution). Columns after
 *       the named ones are ignored.
 *   <li>JSONL: {@code en}/{@code ar}/{@code id} as JSON Pointers (a bare name is a top-level
 *       field). By default a record with {@code translation.en} and {@code translation.ar}
 *       (OPUS-100 / HF {@code translation} features) is read from there, anything else from
 *       top-level {@code en} and {@code ar}.
 *   <li>Moses: the two lines as they are.
 * </ul>
 */
public final class PairParser implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String STAGE = "read";

  private static final String OPUS_EN = "/translation/en";
  private static final String OPUS_AR = "/translation/ar";

  private final ParallelFormat format;
  private final List<String> columns;
  private final @Nullable String enPointer;
  private final @Nullable String arPointer;
  private final @Nullable String idPointer;

  private PairParser(
      ParallelFormat format,
      List<String> columns,
      @Nullable String enPointer,
      @Nullable String arPointer,
      @Nullable String idPointer) {
    this.format = format;
    this.columns = columns;
    this.enPointer = enPointer;
    this.arPointer = arPointer;
    this.idPointer = idPointer;
  }

  /** TSV with columns {@code en,ar}. */
  public static PairParser tsv() {
    return new PairParser(ParallelFormat.TSV, List.of("en", "ar"), null, null, null);
  }

  /** JSONL with OPUS-100 / top-level {@code en}, {@code ar} detection. */
  public static PairParser jsonl() {
    return new PairParser(ParallelFormat.JSONL, List.of(), null, null, null);
  }

  public static PairParser moses() {
    return new PairParser(ParallelFormat.MOSES, List.of(), null, null, null);
  }

  public static PairParser of(ParallelFormat format) {
    return switch (format) {
      case TSV -> tsv();
      case JSONL -> jsonl();
      case MOSES -> moses();
    };
  }

  /**
   * TSV columns in order, e.g. {@code ar,en} or {@code id,en,ar,-}: each is {@code en}, {@code
   * ar}, {@code id} or {@code -}; {@code en} and {@code ar} exactly once each.
   */
  public PairParser withColumns(String spec) {
    List<String> cols = new ArrayList<>();
    for (String c : spec.split(",", -1)) {
      String name = c.strip().toLowerCase(Locale.ROOT);
      if (!List.of("en", "ar", "id", "-").contains(name)) {
        throw new IllegalArgumentException(
            "TSV column '" + c.strip() + "' must be en, ar, id or - (in: " + spec + ")");
      }
      if (!name.equals("-") && cols.contains(name)) {
        throw new IllegalArgumentException("TSV column " + name + " named twice (in: " + spec + ")");
      }
      cols.add(name);
    }
    if (!cols.contains("en") || !cols.contains("ar")) {
      throw new IllegalArgumentException("TSV columns must name en and ar (got: " + spec + ")");
    }
    return new PairParser(format, List.copyOf(cols), enPointer, arPointer, idPointer);
  }

  /** JSONL fields as JSON Pointers or top-level names; null keeps the default. */
  public PairParser withFields(
      @Nullable String en, @Nullable String ar, @Nullable String id) {
    return new PairParser(
        format, columns, pointer(en, enPointer), pointer(ar, arPointer), pointer(id, idPointer));
  }

  private static @Nullable String pointer(@Nullable String name, @Nullable String current) {
    if (name == null || name.isEmpty()) {
      return current;
    }
    String p = name.startsWith("/") ? name : "/" + name.replace("~", "~0").replace("/", "~1");
    JsonPointer.compile(p); // fails early on a malformed pointer
    return p;
  }

  public ParallelFormat format() {
    return format;
  }

  /** What one line came to: a pair, a dead letter, or neither (a blank line). */
  public static final class Parsed {
    public final @Nullable ParallelPair pair;
    public final @Nullable DeadLetter deadLetter;

    private Parsed(@Nullable ParallelPair pair, @Nullable DeadLetter deadLetter) {
      this.pair = pair;
      this.deadLetter = deadLetter;
    }

    static final Parsed BLANK = new Parsed(null, null);

    static Parsed pair(ParallelPair pair) {
      return new Parsed(pair, null);
    }

    static Parsed bad(String file, long line, String field, String error, String original) {
      return new Parsed(
          null,
          DeadLetter.of(file + ":" + line, STAGE, field, "line " + line + ": " + error, original));
    }

    public boolean isBlank() {
      return pair == null && deadLetter == null;
    }
  }

  /** One TSV or JSONL line (its line break removed). */
  public Parsed parseLine(String file, long line, String text) {
    if (text.isBlank()) {
      return Parsed.BLANK;
    }
    return switch (format) {
      case TSV -> tsvLine(file, line, text);
      case JSONL -> jsonLine(file, line, text);
      case MOSES -> throw new IllegalStateException("Moses corpora are read line by line in pairs");
    };
  }

  private Parsed tsvLine(String file, long line, String text) {
    String[] cells = text.split("\t", -1);
    String en = null;
    String ar = null;
    String id = null;
    for (int i = 0; i < columns.size(); i++) {
      String column = columns.get(i);
      if (column.equals("-")) {
        continue;
      }
      if (i >= cells.length) {
        if (column.equals("id")) {
          continue;
        }
        return Parsed.bad(file, line, "/" + column,
            "column " + (i + 1) + " (" + column + ") is missing: the line has " + cells.length
                + (cells.length == 1 ? " column" : " columns") + " (tab-separated)", text);
      }
      switch (column) {
        case "en" -> en = cells[i];
        case "ar" -> ar = cells[i];
        default -> id = cells[i].strip();
      }
    }
    return pair(file, line, id, en, ar, "/en", "/ar", text);
  }

  private Parsed jsonLine(String file, long line, String text) {
    JsonNode root;
    try {
      root = RecordJson.parse(text);
    } catch (JsonProcessingException e) {
      String message = e.getOriginalMessage() == null ? "malformed" : e.getOriginalMessage();
      return Parsed.bad(file, line, "", "invalid JSON: " + message.lines().findFirst().orElse(""),
          text);
    }
    if (root == null || !root.isObject()) {
      return Parsed.bad(file, line, "", "the JSON value is not an object", text);
    }
    String en = enPointer;
    String ar = arPointer;
    if (en == null || ar == null) {
      boolean opus = root.at(OPUS_EN).isTextual() || root.at(OPUS_AR).isTextual()
          || root.path("translation").isObject();
      en = en != null ? en : opus ? OPUS_EN : "/en";
      ar = ar != null ? ar : opus ? OPUS_AR : "/ar";
    }
    String id = null;
    if (idPointer != null) {
      JsonNode node = root.at(idPointer);
      if (node.isTextual() || node.isNumber()) {
        id = node.asText().strip();
      }
    }
    JsonNode enNode = root.at(en);
    if (!enNode.isTextual()) {
      return Parsed.bad(file, line, en, en + " " + describe(enNode) + ", expected a string", text);
    }
    JsonNode arNode = root.at(ar);
    if (!arNode.isTextual()) {
      return Parsed.bad(file, line, ar, ar + " " + describe(arNode) + ", expected a string", text);
    }
    return pair(file, line, id, enNode.textValue(), arNode.textValue(), en, ar, text);
  }

  private static String describe(JsonNode node) {
    if (node.isMissingNode()) {
      return "is missing";
    }
    return "is " + node.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  /**
   * One line of each file of a Moses-style corpus (same line number). Both blank: skipped; one
   * blank: a dead letter, since an empty side usually means the files are out of step there.
   */
  public Parsed parseMoses(String file, long line, String enLine, String arLine) {
    if (enLine.isBlank() && arLine.isBlank()) {
      return Parsed.BLANK;
    }
    ObjectNode original = RecordJson.MAPPER.createObjectNode();
    original.put("en", enLine);
    original.put("ar", arLine);
    return pair(file, line, null, enLine, arLine, "/en", "/ar", original.toString());
  }

  private static Parsed pair(
      String file, long line, @Nullable String id, String en, String ar, String enField,
      String arField, String original) {
    Objects.requireNonNull(en);
    Objects.requireNonNull(ar);
    if (en.isBlank()) {
      return Parsed.bad(file, line, enField, "the English side (" + enField + ") is empty", original);
    }
    if (ar.isBlank()) {
      return Parsed.bad(file, line, arField, "the Arabic side (" + arField + ") is empty", original);
    }
    String pairId = id == null || id.isEmpty() ? file + ":" + line : id;
    return Parsed.pair(new ParallelPair(pairId, en, ar, file, line));
  }
}
