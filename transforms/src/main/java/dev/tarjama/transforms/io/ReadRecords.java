package dev.tarjama.transforms.io;

import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.domain.SourceRecord;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Reads input records from one file or a glob (local, {@code gs://}, any Beam FileSystem).
 *
 * <p>Input: nothing ({@link PBegin}); {@code ReadRecords.from("data/**}{@code /*.jsonl")}.
 *
 * <p>Outputs ({@link PCollectionTuple}):
 *
 * <ul>
 *   <li>{@link #RECORDS}: one {@link SourceRecord} per record, its JSON as UTF-8 text.
 *   <li>{@link #DEAD_LETTERS}: one {@link DeadLetter} (stage {@code read}) per line or element that
 *       could not be read, with the reason and the original text (Base64 when not UTF-8).
 * </ul>
 *
 * <p>Each file is read by what it holds: {@code .parquet} (or {@code PAR1} magic) as Parquet with
 * the file's own schema, id {@code name#row}; a file whose first non-blank byte is {@code [} as a
 * JSON array, id {@code name#index}; anything else ({@code .jsonl}, and BFCL's {@code .json}) as
 * JSON Lines, id {@code name:line}. Compressed files ({@code .gz}, …) are decompressed by
 * extension. {@code name} is the file's path relative to the glob's directory before its first
 * wildcard, or the base name for a single file. {@link #withIdField} adds a record's own id field
 * to its key ({@code name:line[own-id]}, see {@link dev.tarjama.transforms.domain.RecordKey}):
 * records that share an own id keep keys of their own.
 *
 * <p>Failure modes: bad data (invalid UTF-8, invalid JSON, a value that is not an object, a broken
 * array, a corrupt compressed stream or Parquet file) goes to {@link #DEAD_LETTERS} and the rest of
 * the file is still read where it can be: a JSON array resynchronizes on the next element after a
 * damaged one ({@link JsonArrayReader}), a truncated {@code .gz} keeps every line or element
 * completed before the cut, and a dead letter whose original had to be cut says so; an I/O error of the file system is thrown so that the
 * runner retries; a single file name that does not exist fails the pipeline, a glob that matches
 * nothing reads nothing.
 */
public final class ReadRecords extends PTransform<PBegin, PCollectionTuple> {
  public static final TupleTag<SourceRecord> RECORDS = new TupleTag<SourceRecord>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<DeadLetter>() {};

  private final String glob;
  private final @Nullable String idField;

  private ReadRecords(String glob, @Nullable String idField) {
    this.glob = glob;
    this.idField = idField;
  }

  /** Reads the file or the files matched by {@code glob}. */
  public static ReadRecords from(String glob) {
    if (glob == null || glob.isEmpty()) {
      throw new IllegalArgumentException("ReadRecords.from needs a file or a glob");
    }
    return new ReadRecords(glob, null);
  }

  /**
   * Adds the record's top-level field {@code field}, when it is a string or a number, to its key
   * (beside its position in the file, which keeps the key unique when the field is not).
   */
  public ReadRecords withIdField(String field) {
    return new ReadRecords(glob, field);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("input", glob).withLabel("Input files"));
    builder.addIfNotNull(DisplayData.item("idField", idField).withLabel("Id field"));
  }

  @Override
  public PCollectionTuple expand(PBegin input) {
    return input
        .apply("MatchFiles", FileIO.match().filepattern(glob))
        .apply("OpenFiles", FileIO.readMatches().withCompression(Compression.AUTO))
        .apply(
            "ReadRecordsInFile",
            ParDo.of(new ReadFileFn(glob, idField))
                .withOutputTags(RECORDS, TupleTagList.of(DEAD_LETTERS)));
  }

  /** What a file holds, decided by its extension and its first bytes. */
  enum FileKind {
    JSON_LINES,
    JSON_ARRAY,
    PARQUET
  }

  static final class ReadFileFn extends DoFn<FileIO.ReadableFile, SourceRecord> {
    private static final int SNIFF_LIMIT = 1 << 16;

    private final Counter recordsRead = Metrics.counter("tarjama", "records_read");
    private final Counter deadLetters = Metrics.counter("tarjama", "read_dead_letters");
    private final String glob;
    private final @Nullable String idField;

    ReadFileFn(String glob, @Nullable String idField) {
      this.glob = glob;
      this.idField = idField;
    }

    @ProcessElement
    public void process(@Element FileIO.ReadableFile file, MultiOutputReceiver out)
        throws IOException {
      String path = file.getMetadata().resourceId().toString();
      String name = RecordNames.fileName(glob, path);
      RecordSink sink =
          new RecordSink(idField) {
            @Override
            void record(SourceRecord record) {
              recordsRead.inc();
              out.get(RECORDS).output(record);
            }

            @Override
            void deadLetter(DeadLetter deadLetter) {
              deadLetters.inc();
              out.get(DEAD_LETTERS).output(deadLetter);
            }
          };
      if (isParquet(path, file)) {
        new ParquetRecordReader(name, sink)
            .read(file::openSeekable, file.getMetadata().sizeBytes());
        return;
      }
      try (InputStream in =
          new BufferedInputStream(java.nio.channels.Channels.newInputStream(file.open()),
              SNIFF_LIMIT)) {
        if (sniff(in) == FileKind.JSON_ARRAY) {
          new JsonArrayReader(name, sink).read(in);
        } else {
          new JsonLinesReader(name, sink).read(in);
        }
      }
    }

    private static boolean isParquet(String path, FileIO.ReadableFile file) throws IOException {
      if (path.toLowerCase(Locale.ROOT).endsWith(".parquet")) {
        return true;
      }
      if (file.getCompression() != Compression.UNCOMPRESSED
          || file.getMetadata().sizeBytes() < 8) {
        return false;
      }
      try (InputStream in = java.nio.channels.Channels.newInputStream(file.open())) {
        byte[] magic = in.readNBytes(4);
        return magic.length == 4 && magic[0] == 'P' && magic[1] == 'A' && magic[2] == 'R'
            && magic[3] == '1';
      }
    }

    /** JSON array when the first byte that is not blank (nor a byte-order mark) is '['. */
    static FileKind sniff(InputStream in) throws IOException {
      in.mark(SNIFF_LIMIT);
      try {
        for (int i = 0; i < SNIFF_LIMIT; i++) {
          int b = in.read();
          if (b < 0) {
            return FileKind.JSON_LINES;
          }
          if (b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == 0xEF || b == 0xBB
              || b == 0xBF) {
            continue;
          }
          return b == '[' ? FileKind.JSON_ARRAY : FileKind.JSON_LINES;
        }
        return FileKind.JSON_LINES;
      } catch (java.util.zip.ZipException | java.io.EOFException e) {
        // A compressed file cut before its first record: the reader meets the same error again
        // and makes it a dead letter; the bytes before it are still in the buffer.
        return FileKind.JSON_LINES;
      } finally {
        in.reset();
      }
    }
  }
}
