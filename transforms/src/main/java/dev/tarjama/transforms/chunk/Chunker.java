package dev.tarjama.transforms.chunk;

import dev.tarjama.models.tokenize.TokenCounter;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.FieldPlan;
import dev.tarjama.transforms.domain.FieldSegments;
import dev.tarjama.transforms.domain.Piece;
import dev.tarjama.transforms.domain.PlanPart;
import dev.tarjama.transforms.domain.Placeholders;
import dev.tarjama.transforms.domain.RecordPlan;
import dev.tarjama.transforms.domain.SegmentedRecord;
import dev.tarjama.transforms.domain.TextField;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;

/**
 * Cuts the prose of a {@link SegmentedRecord} into {@link Chunk}s for translation and writes the
 * {@link RecordPlan} that puts the translations back together.
 *
 * <p>Per prose piece: the whitespace around it, and between two chunks, becomes a verbatim plan
 * part (translators do not keep it reliably). The rest is cut at sentence boundaries ({@link
 * SentenceSplitter}) and packed greedily into chunks whose token count, of the chunk text exactly
 * as sent (placeholders included), stays within the budget. A sentence over the budget is cut at
 * line breaks, then at whitespace, then (a single over-long "word") between characters; a cut
 * never falls inside a placeholder ⟦n⟧. In line mode a chunk holds at most N lines of the piece;
 * the token budget still caps it (an N-line group over the budget is cut as above).
 *
 * <p>Each chunk carries its own placeholders renumbered from 0, so its text stands alone. A run of
 * text with no letter (only placeholders, digits or punctuation) is not worth a translator call
 * and stays verbatim. Fields with no chunk get no {@link FieldPlan}: they are copied unchanged.
 * Every plan is checked before it is returned: rebuilding the field from its verbatim parts and
 * its chunks' source texts must give the field's original text byte for byte.
 *
 * <p>Cost: each sentence is counted once and the counts summed; each packed chunk is then counted
 * once as sent (BPE counts are nearly additive over sentences, not exactly) and shrunk when it
 * exceeds the budget. A piece that fits whole is counted once. Not thread-safe (the sentence
 * iterator has state): one instance per DoFn.
 */
public final class Chunker {
  /** SmolKalam's chunk size. */
  public static final int DEFAULT_TOKEN_BUDGET = 490;
  /** SmolKalam found 25-line chunks translated best (against 50, 100 and 500). */
  public static final int DEFAULT_LINES = 25;
  /** A budget must leave room for a few words next to a placeholder. */
  public static final int MIN_TOKEN_BUDGET = 16;

  /**
   * A text longer than this many characters per budget token is not tried as one chunk before
   * splitting: it would almost never fit, and counting it would be wasted.
   */
  private static final int FAST_PATH_CHARS_PER_TOKEN = 8;

  private static final int SENTENCE = 0;
  private static final int LINE = 1;
  private static final int WORD = 2;
  private static final int CHAR = 3;

  private final TokenCounter counter;
  private final int budget;
  private final int lines;
  private final SentenceSplitter splitter = new SentenceSplitter();

  private Chunker(TokenCounter counter, int budget, int lines) {
    if (budget < MIN_TOKEN_BUDGET) {
      throw new IllegalArgumentException(
          "token budget " + budget + " is below the minimum of " + MIN_TOKEN_BUDGET);
    }
    if (lines < 0) {
      throw new IllegalArgumentException("lines per chunk must be positive, got " + lines);
    }
    this.counter = counter;
    this.budget = budget;
    this.lines = lines;
  }

  /** Sentence-aligned chunks of at most {@code budget} tokens. */
  public static Chunker bySentences(TokenCounter counter, int budget) {
    return new Chunker(counter, budget, 0);
  }

  /** Chunks of at most {@code lines} lines, each still within {@code budget} tokens. */
  public static Chunker byLines(TokenCounter counter, int budget, int lines) {
    if (lines < 1) {
      throw new IllegalArgumentException("lines per chunk must be positive, got " + lines);
    }
    return new Chunker(counter, budget, lines);
  }

  public int tokenBudget() {
    return budget;
  }

  /** Lines per chunk in line mode, 0 in sentence mode. */
  public int linesPerChunk() {
    return lines;
  }

  /**
   * The plan and chunks of one record ({@link RecordPlan#chunks()}, numbered from 0 in document
   * order).
   *
   * @throws ChunkingException naming the record and the field when a field cannot be planned (an
   *     invalid field index, pieces that do not rebuild the field, a tokenizer failure)
   */
  public RecordPlan plan(SegmentedRecord record) {
    String recordId = record.conversation().recordId();
    List<TextField> textFields = record.conversation().fields();
    List<Chunk> chunks = new ArrayList<>();
    List<FieldPlan> plans = new ArrayList<>();
    for (FieldSegments segments : record.fields()) {
      if (segments.pieces().stream().noneMatch(p -> p.prose())) {
        continue;
      }
      int fieldIndex = segments.fieldIndex();
      if (fieldIndex < 0 || fieldIndex >= textFields.size()) {
        throw new ChunkingException(
            recordId, "", "field index " + fieldIndex + " is not one of the record's "
                + textFields.size() + " fields", null);
      }
      TextField field = textFields.get(fieldIndex);
      int firstChunk = chunks.size();
      try {
        FieldBuilder builder =
            new FieldBuilder(recordId, record.conversation().split(), fieldIndex, chunks);
        for (Piece piece : segments.pieces()) {
          if (piece.prose()) {
            planProse(piece, builder);
          } else {
            builder.verbatim(piece.text());
          }
        }
        FieldPlan plan = builder.build();
        String rebuilt = rebuildSource(plan, chunks);
        if (!rebuilt.equals(field.text())) {
          throw new IllegalStateException(
              "the plan does not rebuild the field's text (first difference at char "
                  + firstDifference(rebuilt, field.text()) + ")");
        }
        if (chunks.size() > firstChunk) {
          plans.add(plan);
        }
      } catch (ChunkingException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new ChunkingException(recordId, field.pointer(), String.valueOf(e.getMessage()), e);
      }
    }
    return new RecordPlan(record.conversation(), plans, chunks);
  }

  /**
   * The source text of a planned field: its verbatim parts and its chunks' texts with their
   * placeholders restored. {@code chunks} are the record's chunks, indexed by chunk index.
   */
  public static String rebuildSource(FieldPlan plan, List<Chunk> chunks) {
    StringBuilder out = new StringBuilder();
    for (PlanPart part : plan.parts()) {
      if (part.isChunk()) {
        Chunk chunk = chunks.get(part.chunkIndex());
        out.append(Placeholders.restore(chunk.text(), chunk.spans()));
      } else {
        out.append(part.text());
      }
    }
    return out.toString();
  }

  private static int firstDifference(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      if (a.charAt(i) != b.charAt(i)) {
        return i;
      }
    }
    return n;
  }

  // ---------------------------------------------------------------------------------------------
  // Prose

  private void planProse(Piece piece, FieldBuilder builder) {
    String text = piece.text();
    int start = 0;
    int end = text.length();
    while (start < end && isSpace(text.charAt(start))) {
      start++;
    }
    while (end > start && isSpace(text.charAt(end - 1))) {
      end--;
    }
    builder.verbatim(text.substring(0, start));
    if (start < end) {
      String core = text.substring(start, end);
      if (lines == 0) {
        planRegion(core, piece, builder);
      } else {
        int from = 0;
        int seen = 0;
        for (int i = 0; i < core.length(); i++) {
          if (isLineEnd(core, i) && ++seen == lines) {
            planRegion(core.substring(from, i + 1), piece, builder);
            from = i + 1;
            seen = 0;
          }
        }
        if (from < core.length()) {
          planRegion(core.substring(from), piece, builder);
        }
      }
    }
    builder.verbatim(text.substring(end));
  }

  /** Chunks for one run of prose (the whole piece, or one group of lines). */
  private void planRegion(String region, Piece piece, FieldBuilder builder) {
    Candidate whole = Candidate.of(region, piece);
    if (whole.sendsNothing) {
      builder.add(whole, 0);
      return;
    }
    if (region.length() <= (long) budget * FAST_PATH_CHARS_PER_TOKEN) {
      int tokens = counter.count(whole.text);
      if (tokens <= budget) {
        builder.add(whole, tokens);
        return;
      }
    }
    List<Unit> units = new ArrayList<>();
    for (String sentence : splitter.split(region)) {
      addFitted(units, sentence, counter.count(sentence), SENTENCE);
    }
    pack(units, piece, builder);
  }

  /**
   * Greedy packing: as many units as their summed counts allow, then the candidate is counted as
   * sent and shrunk by one unit at a time while it is over the budget; a single unit still over
   * the budget is cut finer.
   */
  private void pack(List<Unit> units, Piece piece, FieldBuilder builder) {
    int i = 0;
    while (i < units.size()) {
      int j = i;
      long sum = 0;
      while (j < units.size() && (j == i || sum + units.get(j).tokens <= budget)) {
        sum += units.get(j).tokens;
        j++;
      }
      boolean emitted = false;
      while (!emitted) {
        Candidate candidate = Candidate.of(join(units, i, j), piece);
        int tokens = candidate.sendsNothing ? 0 : counter.count(candidate.text);
        if (tokens <= budget) {
          builder.add(candidate, tokens);
          emitted = true;
        } else if (j - i > 1) {
          j--;
        } else {
          List<Unit> finer = splitFiner(units.get(i));
          if (finer.size() <= 1) {
            // One placeholder or character over the budget: impossible above MIN_TOKEN_BUDGET
            // with real tokenizers; sent as it is rather than cut inside a span.
            builder.add(candidate, tokens);
            emitted = true;
          } else {
            units.remove(i);
            units.addAll(i, finer);
            break; // pack again from i with the finer units
          }
        }
      }
      if (emitted) {
        i = j;
      }
    }
  }

  /** Adds {@code text} as one unit if it fits, else as its finer parts, each fitted. */
  private void addFitted(List<Unit> out, String text, int tokens, int level) {
    if (tokens <= budget || level == CHAR) {
      out.add(new Unit(text, tokens, level));
      return;
    }
    out.addAll(splitFiner(new Unit(text, tokens, level)));
  }

  /** The unit cut at the first finer level that cuts it at all: lines, words, characters. */
  private List<Unit> splitFiner(Unit unit) {
    for (int level = unit.level + 1; level <= WORD; level++) {
      List<String> atoms = level == LINE ? lines(unit.text) : words(unit.text);
      if (atoms.size() > 1) {
        List<Unit> out = new ArrayList<>();
        for (String atom : atoms) {
          addFitted(out, atom, counter.count(atom), level);
        }
        return out;
      }
    }
    if (unit.level == CHAR) {
      return List.of(unit);
    }
    return splitCharacters(unit.text);
  }

  /**
   * Cuts a text with no usable line break or whitespace (a long identifier, base64, a run of
   * symbols) between code points, never inside a placeholder: the longest prefix within the
   * budget each time, found by binary search over the allowed cut positions.
   */
  private List<Unit> splitCharacters(String text) {
    int[] cuts = characterCuts(text);
    List<Unit> out = new ArrayList<>();
    int from = 0; // index into cuts
    while (from < cuts.length - 1) {
      int lo = from + 1;
      int hi = cuts.length - 1;
      int best = lo;
      int bestTokens = counter.count(text.substring(cuts[from], cuts[lo]));
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        int tokens = counter.count(text.substring(cuts[from], cuts[mid]));
        if (tokens <= budget) {
          best = mid;
          bestTokens = tokens;
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      out.add(new Unit(text.substring(cuts[from], cuts[best]), bestTokens, CHAR));
      from = best;
    }
    return out;
  }

  /** Allowed cut positions: code point boundaries outside placeholders, 0 and length included. */
  private static int[] characterCuts(String text) {
    int[] cuts = new int[text.length() + 1];
    int size = 0;
    Matcher m = Placeholders.PATTERN.matcher(text);
    int nextStart = m.find() ? m.start() : Integer.MAX_VALUE;
    int i = 0;
    while (i < text.length()) {
      cuts[size++] = i;
      if (i == nextStart) {
        i = m.end();
        nextStart = m.find() ? m.start() : Integer.MAX_VALUE;
      } else {
        i += Character.charCount(text.codePointAt(i));
      }
    }
    cuts[size++] = text.length();
    return Arrays.copyOf(cuts, size);
  }

  /** Lines, each with its line break. */
  private static List<String> lines(String text) {
    List<String> out = new ArrayList<>();
    int from = 0;
    for (int i = 0; i < text.length(); i++) {
      if (isLineEnd(text, i)) {
        out.add(text.substring(from, i + 1));
        from = i + 1;
      }
    }
    if (from < text.length()) {
      out.add(text.substring(from));
    }
    return out;
  }

  /** Words, each with the whitespace after it (leading whitespace stays with the first). */
  private static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    int from = 0;
    for (int i = 1; i < text.length(); i++) {
      if (isSpace(text.charAt(i - 1)) && !isSpace(text.charAt(i)) && hasNonSpace(text, from, i)) {
        out.add(text.substring(from, i));
        from = i;
      }
    }
    out.add(text.substring(from));
    return out;
  }

  private static boolean hasNonSpace(String text, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!isSpace(text.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  /** A '\n', or a '\r' not followed by '\n'. */
  private static boolean isLineEnd(String text, int i) {
    char c = text.charAt(i);
    return c == '\n' || (c == '\r' && (i + 1 == text.length() || text.charAt(i + 1) != '\n'));
  }

  static boolean isSpace(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c);
  }

  private static String join(List<Unit> units, int from, int to) {
    if (to - from == 1) {
      return units.get(from).text;
    }
    StringBuilder sb = new StringBuilder();
    for (int k = from; k < to; k++) {
      sb.append(units.get(k).text);
    }
    return sb.toString();
  }

  /** A run of prose with its own token count and the level it was cut at. */
  private record Unit(String text, int tokens, int level) {}

  /**
   * A run of prose ready to become a chunk: its outer whitespace split off, its placeholders
   * renumbered from 0. One with nothing to translate keeps only its original text.
   */
  private record Candidate(
      String leading,
      String core,
      String trailing,
      String text,
      List<String> spans,
      List<String> spanTypes,
      String original,
      boolean sendsNothing) {

    static Candidate of(String raw, Piece piece) {
      int start = 0;
      int end = raw.length();
      while (start < end && isSpace(raw.charAt(start))) {
        start++;
      }
      while (end > start && isSpace(raw.charAt(end - 1))) {
        end--;
      }
      String core = raw.substring(start, end);
      String leading = raw.substring(0, start);
      String trailing = raw.substring(end);
      if (hasNoLetter(core)) {
        // Stays verbatim: only its original text is needed.
        String original = Placeholders.restore(core, piece.spans());
        return new Candidate(leading, core, trailing, core, List.of(), List.of(), original, true);
      }
      if (piece.spans().isEmpty() || core.indexOf(Placeholders.OPEN) < 0) {
        return new Candidate(leading, core, trailing, core, List.of(), List.of(), core, false);
      }
      // Renumber in order of appearance; a placeholder the piece has no span for is left as
      // literal text, as Placeholders.restore leaves it.
      int[] renumbered = new int[piece.spans().size()];
      Arrays.fill(renumbered, -1);
      List<String> spans = new ArrayList<>();
      List<String> types = new ArrayList<>();
      StringBuilder text = new StringBuilder(core.length());
      Matcher m = Placeholders.PATTERN.matcher(core);
      int last = 0;
      while (m.find()) {
        int n = Integer.parseInt(m.group(1));
        if (n >= renumbered.length) {
          continue;
        }
        if (renumbered[n] < 0) {
          renumbered[n] = spans.size();
          spans.add(piece.spans().get(n));
          types.add(n < piece.spanTypes().size() ? piece.spanTypes().get(n) : "");
        }
        text.append(core, last, m.start()).append(Placeholders.of(renumbered[n]));
        last = m.end();
      }
      text.append(core, last, core.length());
      return new Candidate(
          leading, core, trailing, text.toString(), spans, types, null, false);
    }

    /** Nothing to translate: blank, or no letter outside placeholders. */
    static boolean hasNoLetter(String core) {
      String visible = Placeholders.strip(core);
      for (int i = 0; i < visible.length(); ) {
        int cp = visible.codePointAt(i);
        if (Character.isLetter(cp)) {
          return false;
        }
        i += Character.charCount(cp);
      }
      return true;
    }
  }

  /** Collects one field's plan parts, merging adjacent verbatim text, and numbers its chunks. */
  private static final class FieldBuilder {
    private final String recordId;
    private final String split;
    private final int fieldIndex;
    private final List<Chunk> chunks;
    private final List<PlanPart> parts = new ArrayList<>();
    private final StringBuilder verbatim = new StringBuilder();

    FieldBuilder(String recordId, String split, int fieldIndex, List<Chunk> chunks) {
      this.recordId = recordId;
      this.split = split;
      this.fieldIndex = fieldIndex;
      this.chunks = chunks;
    }

    void verbatim(String text) {
      verbatim.append(text);
    }

    void add(Candidate candidate, int tokens) {
      verbatim(candidate.leading);
      if (candidate.sendsNothing) {
        verbatim(candidate.original);
      } else {
        flush();
        int chunkIndex = chunks.size();
        chunks.add(
            new Chunk(recordId, split, chunkIndex, fieldIndex, candidate.text, candidate.spans,
                candidate.spanTypes, tokens));
        parts.add(PlanPart.chunk(chunkIndex));
      }
      verbatim(candidate.trailing);
    }

    private void flush() {
      if (verbatim.length() > 0) {
        parts.add(PlanPart.verbatim(verbatim.toString()));
        verbatim.setLength(0);
      }
    }

    FieldPlan build() {
      flush();
      return new FieldPlan(fieldIndex, parts);
    }
  }
}
