package dev.tarjama.transforms.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.zip.ZipException;

/**
 * Streams a file holding one JSON array of records (LLaMA-Factory's {@code .json} datasets): record
 * id {@code name#index} (0-based, counting the elements as they are found).
 *
 * <p>The array is cut into elements by a byte scanner (strings, escapes and nesting tracked; a
 * comma or {@code ]} at the array's own level ends an element), and each element is parsed on its
 * own, so one bad element costs only itself:
 *
 * <ul>
 *   <li>an element that is not an object, or not valid JSON, is one dead letter (its bytes, its
 *       index, its line and byte offset, the parser's error);
 *   <li>a syntax error that breaks the nesting (a missing {@code }}, an unclosed string) makes
 *       the scanner swallow what follows into one span: the reader then <em>resynchronizes</em>
 *       on the first later {@code ,{} … whose object parses and shares a field name with the
 *       records read so far (so that an inner message object is not taken for a record), and
 *       reads on from there; the bytes before it are one dead letter for the damaged region;
 *   <li>a compressed file that is truncated or corrupt keeps every element completed before the
 *       cut; the element cut in two (or nothing, at a boundary) is one dead letter saying so;
 *   <li>a file that ends before the closing {@code ]} is one dead letter too (the file was
 *       probably cut), as is content after the closing {@code ]}.
 * </ul>
 *
 * <p>Each dead letter's error says how many elements were recovered after it in the same file
 * where that is known. A payload is never cut silently: an element longer than {@value
 * #PAYLOAD_LIMIT} bytes is kept up to that size with {@code truncatedPayload} and its length.
 */
final class JsonArrayReader {
  /** The most bytes of one element or damaged region kept in memory and in a dead letter. */
  static final int PAYLOAD_LIMIT = 64 << 20;

  private static final int BUFFER = 1 << 16;

  private final String fileName;
  private final RecordSink sink;
  private final int payloadLimit;

  /** Top-level field names of the records read so far: what a resynchronized element must share. */
  private final Set<String> recordFields = new HashSet<>();

  private long index;

  JsonArrayReader(String fileName, RecordSink sink) {
    this(fileName, sink, PAYLOAD_LIMIT);
  }

  JsonArrayReader(String fileName, RecordSink sink, int payloadLimit) {
    this.fileName = fileName;
    this.sink = sink;
    this.payloadLimit = payloadLimit;
  }

  /** Where the scanner is. */
  private enum Phase {
    BEFORE_ARRAY,
    BETWEEN,
    ELEMENT,
    AFTER
  }

  /**
   * The bytes still to scan: pushed-back bytes first (after a resynchronization), then the file.
   * Pushed bytes are always the file's bytes just before what is left to scan, so one running
   * offset and line number serve both.
   */
  private static final class Source {
    private final InputStream in;
    private final byte[] buffer = new byte[BUFFER];
    private byte[] pushed = new byte[0];
    private int pushedAt;
    private int pos;
    private int end;
    private boolean eof;
    /** Why the file ended early: a compressed stream that broke. */
    String damage;
    /** Offset in the (decompressed) file and line of the next byte. */
    long nextOffset;
    long line = 1;
    long column = 1;
    /** Offset, line and column of the byte {@link #next} returned last. */
    long offset;
    long byteLine;
    long byteColumn;

    Source(InputStream in) {
      this.in = in;
    }

    /** Next byte, or -1 at the end of the file (or where a compressed stream broke). */
    int next() throws IOException {
      int b;
      if (pushedAt < pushed.length) {
        b = pushed[pushedAt++] & 0xFF;
      } else {
        if (pos == end) {
          if (eof) {
            return -1;
          }
          try {
            end = in.read(buffer);
          } catch (ZipException | EOFException e) {
            damage = "compressed data is corrupt or truncated (" + e.getMessage() + ")";
            end = -1;
          }
          pos = 0;
          if (end <= 0) {
            end = 0;
            eof = true;
            return -1;
          }
        }
        b = buffer[pos++] & 0xFF;
      }
      offset = nextOffset++;
      byteLine = line;
      byteColumn = column++;
      if (b == '\n') {
        line++;
        column = 1;
      }
      return b;
    }

    /** Re-scans {@code bytes} (which start at {@code at}, on {@code atLine}) before the rest. */
    void push(byte[] bytes, long at, long atLine, long atColumn) {
      byte[] rest = Arrays.copyOfRange(pushed, pushedAt, pushed.length);
      byte[] joined = Arrays.copyOf(bytes, bytes.length + rest.length);
      System.arraycopy(rest, 0, joined, bytes.length, rest.length);
      pushed = joined;
      pushedAt = 0;
      nextOffset = at;
      line = atLine;
      column = atColumn;
    }
  }

  /** One element's bytes as the scanner found them. */
  private static final class Span {
    byte[] bytes = new byte[256];
    int length;
    long total; // bytes seen, kept or not
    long trailingBlanks;
    final long offset;
    final long line;
    final long column;

    Span(long offset, long line, long column) {
      this.offset = offset;
      this.line = line;
      this.column = column;
    }

    Span(Source at) {
      this(at.offset, at.byteLine, at.byteColumn);
    }

    void add(int b, int limit) {
      total++;
      trailingBlanks = isBlank(b) ? trailingBlanks + 1 : 0;
      if (length == limit) {
        return;
      }
      if (length == bytes.length) {
        bytes = Arrays.copyOf(bytes, (int) Math.min((long) limit, bytes.length * 2L));
      }
      bytes[length++] = (byte) b;
    }

    boolean cut() {
      return total > length;
    }
  }

  void read(InputStream stream) throws IOException {
    Source in = new Source(stream);
    Phase phase = Phase.BEFORE_ARRAY;
    Span span = null;
    boolean inString = false;
    boolean escaped = false;
    int depth = 0;
    while (true) {
      int b = in.next();
      if (b == -1) {
        if (phase == Phase.ELEMENT) {
          // The file ends inside an element: whole elements may still be inside the span.
          String why = in.damage != null ? in.damage : "the file ends";
          Outcome outcome = element(span, in, why + " inside element " + index, -1);
          if (outcome == Outcome.RESYNCHRONIZED) {
            phase = Phase.BETWEEN;
            span = null;
            continue;
          }
          if (outcome != Outcome.DEAD_LETTER) {
            lose(in, why + " before the array's closing ']' (after " + index
                + " elements): elements after them, if any, are lost");
          }
          return;
        }
        break;
      }
      switch (phase) {
        case BEFORE_ARRAY -> {
          if (isBlank(b) || (in.offset < 3 && (b == 0xEF || b == 0xBB || b == 0xBF))) {
            continue;
          }
          if (b != '[') {
            span = new Span(in);
            span.add(b, payloadLimit);
            phase = Phase.AFTER; // nothing is readable: the whole file is one dead letter
            continue;
          }
          phase = Phase.BETWEEN;
        }
        case BETWEEN -> {
          if (isBlank(b)) {
            continue;
          }
          if (b == ']') {
            phase = Phase.AFTER;
            continue;
          }
          span = new Span(in);
          if (b == ',') {
            element(span, in, "an empty element (a comma with no value before it)", ',');
            continue;
          }
          inString = b == '"';
          escaped = false;
          depth = b == '{' || b == '[' ? 1 : 0;
          span.add(b, payloadLimit);
          phase = Phase.ELEMENT;
        }
        case ELEMENT -> {
          if (inString) {
            span.add(b, payloadLimit);
            if (escaped) {
              escaped = false;
            } else if (b == '\\') {
              escaped = true;
            } else if (b == '"') {
              inString = false;
            }
            continue;
          }
          if (depth == 0 && (b == ',' || b == ']')) {
            boolean resynchronized = element(span, in, null, b) == Outcome.RESYNCHRONIZED;
            phase = resynchronized || b == ',' ? Phase.BETWEEN : Phase.AFTER;
            span = null;
            continue;
          }
          span.add(b, payloadLimit);
          if (b == '"') {
            inString = true;
          } else if (b == '{' || b == '[') {
            depth++;
          } else if ((b == '}' || b == ']') && depth > 0) {
            depth--;
          }
        }
        case AFTER -> {
          if (span == null) {
            if (isBlank(b)) {
              continue;
            }
            span = new Span(in);
          }
          span.add(b, payloadLimit);
        }
        default -> throw new IllegalStateException(phase.name());
      }
    }
    finish(phase, span, in);
  }

  private void finish(Phase phase, Span span, Source in) {
    switch (phase) {
      case BEFORE_ARRAY -> {
        if (in.damage != null) {
          lose(in, in.damage + " before the array began; nothing could be read");
        }
        // An empty or blank file: no records, nothing lost.
      }
      case BETWEEN -> lose(in, (in.damage != null ? in.damage : "the file ends")
          + " before the array's closing ']' (after " + index
          + " elements): elements after them, if any, are lost");
      case AFTER -> {
        if (span != null) {
          boolean noArray = index == 0 && recordFields.isEmpty() && span.offset < 4;
          String why = noArray ? "the file does not start with '['" : "content after the closing ']'";
          deadLetter(span, why + at(span, null), span.cut());
        }
        if (in.damage != null) {
          lose(in, in.damage + " after the closing ']'");
        }
      }
      default -> {
        // ELEMENT is handled at the end of the bytes.
      }
    }
  }

  /**
   * Handles one scanned element: a record, or a dead letter. A span that does not parse may hold
   * whole elements after the damage: when a resynchronization point is found, the bytes before it
   * are the dead letter and the bytes from it on (with the byte that ended the span) are pushed
   * back for the scanner; true then.
   */
  private Outcome element(Span span, Source in, String problem, int terminator) {
    // The blanks before the comma or ']' are not the element's.
    span.total -= span.trailingBlanks;
    span.length = (int) Math.min(span.length, span.total);
    if (span.length == 0) {
      deadLetter(span, problem, false);
      return Outcome.DEAD_LETTER;
    }
    JsonNode tree = null;
    String error;
    if (!span.cut()) {
      try (JsonParser parser = RecordJson.MAPPER.createParser(span.bytes, 0, span.length)) {
        tree = RecordJson.MAPPER.readTree(parser);
        error = "";
      } catch (JsonProcessingException e) {
        error = "invalid JSON: " + RecordJson.message(e) + at(span, e.getLocation());
      } catch (IOException e) {
        error = "invalid JSON: " + e.getMessage() + at(span, null);
      }
    } else {
      error = "the element is longer than " + payloadLimit + " bytes" + at(span, null);
    }
    if (problem != null) {
      error = error.isEmpty() ? problem : error + "; " + problem;
    }
    if (tree != null && tree.isObject()) {
      tree.fieldNames().forEachRemaining(recordFields::add);
      sink.record(fileName + "#" + index, fileName, index, tree, RecordJson.print(tree));
      index++;
      return Outcome.RECORD;
    }
    if (tree != null) {
      deadLetter(span, "the JSON value is " + JsonPointers.describe(tree) + ", not an object",
          false);
      return Outcome.NOT_AN_OBJECT;
    }
    int resync = resynchronize(span);
    if (resync == 0) {
      deadLetter(span, error, span.cut());
      return Outcome.DEAD_LETTER;
    }
    Span damaged = new Span(span.offset, span.line, span.column);
    damaged.bytes = Arrays.copyOf(span.bytes, trimEnd(span.bytes, resync));
    damaged.length = damaged.bytes.length;
    damaged.total = damaged.length;
    deadLetter(damaged, error + "; the reader skipped to the next element, at byte "
        + (span.offset + resync), false);
    byte[] rest = Arrays.copyOfRange(span.bytes, resync, span.length);
    if (terminator >= 0) {
      rest = Arrays.copyOf(rest, rest.length + 1);
      rest[rest.length - 1] = (byte) terminator;
    }
    long lines = newlines(span.bytes, resync);
    in.push(rest, span.offset + resync, span.line + lines,
        lines == 0 ? span.column + resync : resync - lastNewline(span.bytes, resync));
    return Outcome.RESYNCHRONIZED;
  }

  /** What became of a scanned element. */
  private enum Outcome {
    RECORD,
    NOT_AN_OBJECT,
    DEAD_LETTER,
    RESYNCHRONIZED
  }

  private static int lastNewline(byte[] b, int end) {
    for (int i = end - 1; i >= 0; i--) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /**
   * The first position after the span's start where a record object begins: a {@code {} after a
   * comma (blanks between) whose value parses as an object sharing a field name with the records
   * read so far (any object when none has been read), followed by a comma, {@code ]} or the end
   * of the span. 0 when there is none.
   */
  private int resynchronize(Span span) {
    byte[] b = span.bytes;
    String ownFirstField = firstField(span);
    for (int p = 1; p < span.length; p++) {
      if (b[p] != '{' || !afterComma(b, p)) {
        continue;
      }
      try (JsonParser parser = RecordJson.STREAMING.createParser(b, p, span.length - p)) {
        parser.nextToken();
        JsonNode node = parser.readValueAsTree();
        if (node == null || !node.isObject() || !sharesAField(node, ownFirstField)) {
          continue;
        }
        int after = p + (int) parser.currentLocation().getByteOffset();
        while (after < span.length && isBlank(b[after] & 0xFF)) {
          after++;
        }
        if (after == span.length || b[after] == ',' || b[after] == ']') {
          return p;
        }
      } catch (IOException | RuntimeException e) {
        // Not a record here: try the next candidate.
      }
    }
    return 0;
  }

  /**
   * Whether a candidate looks like a record rather than an object nested in one: it shares a
   * field name with the records read so far or with the damaged element's own first field (an
   * inner message shares neither); none when neither is known (the rest of the file is then one
   * dead letter rather than a guess).
   */
  private boolean sharesAField(JsonNode node, String ownFirstField) {
    if (recordFields.isEmpty() && ownFirstField == null) {
      return false;
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (recordFields.contains(name) || name.equals(ownFirstField)) {
        return true;
      }
    }
    return false;
  }

  /** The name of the damaged element's first field, when it starts as an object should. */
  private static String firstField(Span span) {
    byte[] b = span.bytes;
    int i = 0;
    if (i >= span.length || b[i] != '{') {
      return null;
    }
    i++;
    while (i < span.length && isBlank(b[i] & 0xFF)) {
      i++;
    }
    if (i >= span.length || b[i] != '"') {
      return null;
    }
    int start = ++i;
    while (i < span.length && b[i] != '"') {
      i += b[i] == '\\' ? 2 : 1;
    }
    if (i >= span.length) {
      return null;
    }
    try (JsonParser parser =
        RecordJson.STREAMING.createParser(b, start - 1, i - start + 2)) {
      parser.nextToken();
      return parser.getText();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static boolean afterComma(byte[] b, int p) {
    int q = p - 1;
    while (q >= 0 && isBlank(b[q] & 0xFF)) {
      q--;
    }
    return q >= 0 && b[q] == ',';
  }

  /** The length of {@code b[0..end)} without trailing blanks and the comma before a resync. */
  private static int trimEnd(byte[] b, int end) {
    int e = end;
    while (e > 0 && isBlank(b[e - 1] & 0xFF)) {
      e--;
    }
    if (e > 0 && b[e - 1] == ',') {
      e--;
    }
    while (e > 0 && isBlank(b[e - 1] & 0xFF)) {
      e--;
    }
    return e;
  }

  private static long newlines(byte[] b, int end) {
    long n = 0;
    for (int i = 0; i < end; i++) {
      if (b[i] == '\n') {
        n++;
      }
    }
    return n;
  }

  private static boolean isBlank(int b) {
    return b == ' ' || b == '\t' || b == '\r' || b == '\n';
  }

  /** " (line L, column C, byte B)" of a parser location inside the span, or of the span. */
  private static String at(Span span, JsonLocation where) {
    if (where == null || where.getLineNr() < 1) {
      return " (line " + span.line + ", byte " + span.offset + ")";
    }
    long line = span.line + where.getLineNr() - 1;
    long column = where.getLineNr() == 1 ? span.column + where.getColumnNr() - 1
        : where.getColumnNr();
    long byteOffset = span.offset + Math.max(0, where.getByteOffset());
    return " (line " + line + ", column " + column + ", byte " + byteOffset + ")";
  }

  /** A dead letter for the element at the current index; the index moves on. */
  private void deadLetter(Span span, String problem, boolean truncated) {
    String error = "element " + index + ": " + problem;
    String id = fileName + "#" + index;
    if (truncated) {
      sink.deadLetter(id, error + "; the original is cut at " + span.length + " of "
          + span.total + " bytes", span.bytes, span.length, span.total);
    } else {
      sink.deadLetter(id, error, span.bytes, span.length);
    }
    index++;
  }

  /** A dead letter for what was lost where no element's bytes are left (empty payload). */
  private void lose(Source in, String problem) {
    deadLetter(new Span(in.nextOffset, in.line, in.column), problem, false);
  }
}
