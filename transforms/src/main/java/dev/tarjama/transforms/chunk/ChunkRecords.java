package dev.tarjama.transforms.chunk;

import dev.tarjama.models.tokenize.TokenCounter;
import dev.tarjama.models.tokenize.TokenCounters;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.domain.RecordPlan;
import dev.tarjama.transforms.domain.SegmentedRecord;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Cuts every record's prose into chunks for translation ({@link Chunker}).
 *
 * <p>Input: {@link SegmentedRecord}s. Outputs:
 *
 * <ul>
 *   <li>{@link #PLANS}: one {@link RecordPlan} per record, the reassembly plan; a record with no
 *       chunk (nothing to translate) still gets one, with no field plans and no chunks;
 *   <li>{@link #CHUNKS}: every chunk of every record. Not reshuffled here: the fan-out is
 *       followed by the slow calls, and {@code TranslateChunks} spreads its input over workers
 *       right before them — one Reshuffle at that point serves both purposes;
 *   <li>{@link #DEAD_LETTERS}: records that could not be chunked, stage {@code "chunk"}, with the
 *       conversation JSON as the original, the failing field's JSON Pointer and the error (a
 *       segmentation that does not rebuild the field, a tokenizer failure).
 * </ul>
 *
 * <p>Tokens are counted with the tokenizer.json given by {@link #withTokenizer} (loaded once per
 * worker JVM through {@link TokenCounters#acquire}); without one, with the byte estimate {@link
 * TokenCounters#approximate}. A tokenizer file that cannot be loaded fails the DoFn's setup, which
 * fails the run at its start: it is configuration, not data. Metrics ({@code tarjama}
 * namespace): {@code chunks}, {@code chunk_tokens}, distribution {@code tokens_per_chunk},
 * {@code chunk_dead_letters}.
 */
public final class ChunkRecords extends PTransform<PCollection<SegmentedRecord>, PCollectionTuple> {
  public static final TupleTag<RecordPlan> PLANS = new TupleTag<RecordPlan>() {};
  public static final TupleTag<Chunk> CHUNKS = new TupleTag<Chunk>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<DeadLetter>() {};

  static final String STAGE = "chunk";

  private final int tokenBudget;
  private final String tokenizerPath;
  private final int lines;

  private ChunkRecords(int tokenBudget, String tokenizerPath, int lines) {
    this.tokenBudget = tokenBudget;
    this.tokenizerPath = tokenizerPath;
    this.lines = lines;
  }

  /** Sentence-aligned chunks of at most 490 tokens, counted by the byte estimate. */
  public static ChunkRecords create() {
    return new ChunkRecords(Chunker.DEFAULT_TOKEN_BUDGET, null, 0);
  }

  /** The most tokens a chunk may take (at least {@link Chunker#MIN_TOKEN_BUDGET}). */
  public ChunkRecords withTokenBudget(int tokens) {
    if (tokens < Chunker.MIN_TOKEN_BUDGET) {
      throw new IllegalArgumentException(
          "token budget " + tokens + " is below the minimum of " + Chunker.MIN_TOKEN_BUDGET);
    }
    return new ChunkRecords(tokens, tokenizerPath, lines);
  }

  /** Counts tokens with this tokenizer.json (or a directory that holds one). */
  public ChunkRecords withTokenizer(String path) {
    if (path == null || path.isEmpty()) {
      throw new IllegalArgumentException("tokenizer path is empty");
    }
    return new ChunkRecords(tokenBudget, path, lines);
  }

  /** Chunks of at most {@code lines} lines (SmolKalam: 25), still within the token budget. */
  public ChunkRecords withLineMode(int lines) {
    if (lines < 1) {
      throw new IllegalArgumentException("lines per chunk must be positive, got " + lines);
    }
    return new ChunkRecords(tokenBudget, tokenizerPath, lines);
  }

  /** Line mode with {@link Chunker#DEFAULT_LINES} lines per chunk. */
  public ChunkRecords withLineMode() {
    return withLineMode(Chunker.DEFAULT_LINES);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("tokenBudget", tokenBudget).withLabel("Token budget per chunk"));
    builder.add(DisplayData.item("tokenizer", tokenizerPath == null ? "byte estimate" : tokenizerPath)
        .withLabel("Tokenizer"));
    builder.addIfNotDefault(
        DisplayData.item("linesPerChunk", lines).withLabel("Line mode: lines per chunk"), 0);
  }

  @Override
  public PCollectionTuple expand(PCollection<SegmentedRecord> records) {
    PCollectionTuple chunked =
        records.apply(
            "ChunkProse",
            ParDo.of(new ChunkFn(tokenBudget, tokenizerPath, lines))
                .withOutputTags(PLANS, TupleTagList.of(CHUNKS).and(DEAD_LETTERS)));
    return PCollectionTuple.of(PLANS, chunked.get(PLANS))
        .and(CHUNKS, chunked.get(CHUNKS))
        .and(DEAD_LETTERS, chunked.get(DEAD_LETTERS));
  }

  static final class ChunkFn extends DoFn<SegmentedRecord, RecordPlan> {
    private final int tokenBudget;
    private final String tokenizerPath;
    private final int lines;

    private final Counter chunkCount = Metrics.counter("tarjama", "chunks");
    private final Counter tokenCount = Metrics.counter("tarjama", "chunk_tokens");
    private final Distribution tokensPerChunk = Metrics.distribution("tarjama", "tokens_per_chunk");
    private final Counter deadLetters = Metrics.counter("tarjama", "chunk_dead_letters");

    private transient Chunker chunker;

    ChunkFn(int tokenBudget, String tokenizerPath, int lines) {
      this.tokenBudget = tokenBudget;
      this.tokenizerPath = tokenizerPath;
      this.lines = lines;
    }

    @Setup
    public void setup() {
      TokenCounter counter =
          tokenizerPath == null
              ? TokenCounters.approximate()
              : TokenCounters.acquire(tokenizerPath);
      chunker =
          lines == 0
              ? Chunker.bySentences(counter, tokenBudget)
              : Chunker.byLines(counter, tokenBudget, lines);
    }

    @Teardown
    public void teardown() {
      if (tokenizerPath != null && chunker != null) {
        chunker = null;
        TokenCounters.release(tokenizerPath);
      }
    }

    @ProcessElement
    public void process(@Element SegmentedRecord record, MultiOutputReceiver out) {
      RecordPlan plan;
      try {
        plan = chunker.plan(record);
      } catch (ChunkingException e) {
        deadLetter(record, e.pointer(), e.getMessage(), out);
        return;
      } catch (RuntimeException e) {
        deadLetter(
            record, "",
            "cannot chunk record " + record.conversation().recordId() + ": " + e,
            out);
        return;
      }
      out.get(PLANS).output(plan);
      OutputReceiver<Chunk> chunks = out.get(CHUNKS);
      for (Chunk chunk : plan.chunks()) {
        chunks.output(chunk);
        tokenCount.inc(chunk.tokens());
        tokensPerChunk.update(chunk.tokens());
      }
      chunkCount.inc(plan.chunks().size());
    }

    private void deadLetter(
        SegmentedRecord record, String pointer, String error, MultiOutputReceiver out) {
      deadLetters.inc();
      out.get(DEAD_LETTERS)
          .output(
              DeadLetter.of(
                  record.conversation().recordId(), STAGE, pointer, error, record.conversation().json()));
    }
  }
}
