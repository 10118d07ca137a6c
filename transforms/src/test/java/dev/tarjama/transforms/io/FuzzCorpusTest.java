package dev.tarjama.transforms.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.domain.SourceRecord;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of malformed inputs ({@link FuzzCorpus}) through the readers and the normalizer
 * directly, and a sample of them as files through {@code ReadRecords} and {@code
 * NormalizeRecords} in one pipeline: nothing throws, every input record is a record or one dead
 * letter that names its file, and the counts add up.
 */
@ExtendWith(TestPipelineExtension.class)
class FuzzCorpusTest {
  @TempDir static Path scratch;

  static List<FuzzCorpus.Input> corpus;

  @BeforeAll
  static void generate() throws IOException {
    corpus = FuzzCorpus.generate(scratch);
  }

  /** What one input came to: reader records and dead letters, normalizer results. */
  record Outcome(List<SourceRecord> records, List<DeadLetter> readDead, int conversations,
      List<DeadLetter> normalizeDead) {}

  private static final ConversationNormalizer NORMALIZER =
      new ConversationNormalizer(null, null, NormalizeRecords.DEFAULT_SPLIT_FIELD);

  /** Reads an input as ReadRecords does a file (the same decompressor, sniffing and readers). */
  static Outcome read(FuzzCorpus.Input input) throws IOException {
    KitReader.Collected sink = new KitReader.Collected(null);
    String lower = input.name().toLowerCase(Locale.ROOT);
    boolean gz = lower.endsWith(".gz");
    byte[] b = input.bytes();
    boolean magic = b.length >= 8 && b[0] == 'P' && b[1] == 'A' && b[2] == 'R' && b[3] == '1';
    if (lower.endsWith(".parquet") || (!gz && magic)) {
      Path file = scratch.resolve("in.parquet");
      Files.write(file, b);
      new ParquetRecordReader(input.name(), sink).read(() -> Files.newByteChannel(file), b.length);
    } else {
      InputStream raw = gz
          ? Channels.newInputStream(Compression.GZIP.readDecompressed(
              Channels.newChannel(new ByteArrayInputStream(b))))
          : new ByteArrayInputStream(b);
      try (BufferedInputStream in = new BufferedInputStream(raw, 1 << 16)) {
        if (ReadRecords.ReadFileFn.sniff(in) == ReadRecords.FileKind.JSON_ARRAY) {
          new JsonArrayReader(input.name(), sink).read(in);
        } else {
          new JsonLinesReader(input.name(), sink).read(in);
        }
      }
    }
    int conversations = 0;
    List<DeadLetter> normalizeDead = new ArrayList<>();
    for (SourceRecord r : sink.records) {
      ConversationNormalizer.Result result = NORMALIZER.normalize(r);
      assertTrue((result.conversation == null) != (result.deadLetter == null), input.name());
      if (result.conversation != null) {
        conversations++;
      } else {
        normalizeDead.add(result.deadLetter);
      }
    }
    return new Outcome(sink.records, sink.deadLetters, conversations, normalizeDead);
  }

  @Test
  void everyMalformedInputIsARecordOrANamedDeadLetterAndTheCountsAddUp() {
    assertTrue(corpus.size() >= 5_000, "corpus of " + corpus.size());
    long records = 0;
    long conversations = 0;
    long deadLetters = 0;
    long normalizeDead = 0;
    Set<String> names = new HashSet<>();
    for (FuzzCorpus.Input input : corpus) {
      assertTrue(names.add(input.name()), "two inputs named " + input.name());
      Outcome o;
      try {
        o = read(input);
      } catch (Throwable t) {
        fail(input.name() + " crashed the reader: " + t, t);
        return;
      }
      Set<String> ids = new HashSet<>();
      for (SourceRecord r : o.records()) {
        assertTrue(ids.add(r.recordId()), input.name() + ": id twice " + r.recordId());
        assertTrue(r.recordId().startsWith(input.name()), r.recordId());
      }
      for (DeadLetter d : o.readDead()) {
        assertTrue(ids.add(d.recordId()), input.name() + ": id twice " + d.recordId());
        assertTrue(d.recordId().startsWith(input.name()), d.recordId());
        assertEquals("read", d.stage());
        assertFalse(d.error().isBlank(), d.toString());
        assertNotNull(d.original());
        assertFalse(d.truncatedPayload(), "a payload was cut: " + d);
      }
      for (DeadLetter d : o.normalizeDead()) {
        assertEquals("normalize", d.stage());
        assertTrue(d.recordId().startsWith(input.name()), d.recordId());
        assertFalse(d.error().isBlank(), d.toString());
      }
      if (input.records() >= 0) {
        assertEquals(input.records(), o.records().size() + o.readDead().size(),
            input.name() + ": records in != records + dead letters out; " + o.readDead());
      }
      if (input.records() == 1 && o.records().size() == 1 && input.name().contains("-cut")) {
        fail(input.name() + ": a cut record was read as whole");
      }
      records += o.records().size();
      conversations += o.conversations();
      deadLetters += o.readDead().size();
      normalizeDead += o.normalizeDead().size();
    }
    assertEquals(records, conversations + normalizeDead, "normalizer in != out");
    assertTrue(conversations > 1_000 && deadLetters > 3_000 && normalizeDead > 500,
        "each kind of outcome is exercised: " + conversations + " conversations, " + deadLetters
            + " read and " + normalizeDead + " normalize dead letters");
  }

  @Test
  void namedFailureModes() throws IOException {
    // A duplicate key is a dead letter, not a silently dropped value.
    Outcome dup = read(corpus.stream().filter(i -> i.name().equals("seed0-dup0.jsonl"))
        .findFirst().orElseThrow());
    assertEquals(1, dup.readDead().size());
    assertTrue(dup.readDead().get(0).error().contains("Duplicate field"), dup.toString());
    // 10 MB of content is read and normalized whole.
    Outcome huge = read(corpus.stream().filter(i -> i.name().equals("huge-messages.jsonl"))
        .findFirst().orElseThrow());
    assertEquals(1, huge.conversations());
    // A byte-order mark does not hide the record.
    assertEquals(1, read(corpus.stream().filter(i -> i.name().equals("bom0.json"))
        .findFirst().orElseThrow()).conversations());
    // A truncated gzip keeps the records before the cut and says where it broke.
    Outcome cut = read(corpus.stream().filter(i -> i.name().equals("cut10.json.gz"))
        .findFirst().orElseThrow());
    assertTrue(cut.records().size() >= 1, cut.records().size() + " records");
    assertEquals(1, cut.readDead().size());
    assertTrue(cut.readDead().get(0).error().contains("compressed data is corrupt or truncated"),
        cut.readDead().get(0).error());
  }

  @Test
  void aPipelineOverManyFuzzFilesCountsWhatTheReadersCount(TestPipeline pipeline,
      @TempDir Path dir) throws IOException {
    long records = 0;
    long readDead = 0;
    long conversations = 0;
    long normalizeDead = 0;
    int files = 0;
    for (int i = 0; i < corpus.size(); i++) {
      FuzzCorpus.Input input = corpus.get(i);
      boolean special = !input.name().startsWith("seed");
      if ((i % 25 != 0 && !special) || input.bytes().length > (1 << 20)) {
        continue;
      }
      Files.write(dir.resolve(input.name()), input.bytes());
      files++;
      Outcome o = read(input);
      records += o.records().size();
      readDead += o.readDead().size();
      conversations += o.conversations();
      normalizeDead += o.normalizeDead().size();
    }
    assertTrue(files >= 300, files + " files");
    PCollectionTuple read = pipeline.apply(ReadRecords.from(dir + "/*"));
    PCollectionTuple normalized =
        read.get(ReadRecords.RECORDS).apply(NormalizeRecords.auto());
    PAssert.thatSingleton(read.get(ReadRecords.RECORDS).apply("Records", Count.globally()))
        .isEqualTo(records);
    PAssert.thatSingleton(read.get(ReadRecords.DEAD_LETTERS).apply("ReadDead", Count.globally()))
        .isEqualTo(readDead);
    PAssert.thatSingleton(normalized.get(NormalizeRecords.CONVERSATIONS)
        .apply("Conversations", Count.globally())).isEqualTo(conversations);
    PAssert.thatSingleton(normalized.get(NormalizeRecords.DEAD_LETTERS)
        .apply("NormalizeDead", Count.globally())).isEqualTo(normalizeDead);
    pipeline.run().waitUntilFinish();
  }
}
