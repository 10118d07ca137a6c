package dev.tarjama.transforms.judge;

import dev.tarjama.transforms.io.RecordNames;
import dev.tarjama.transforms.domain.DeadLetter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Reads an English–Arabic parallel corpus into {@link ParallelPair}s.
 *
 * <p>Input: nothing ({@link PBegin}). {@link #tsv}/{@link #jsonl} read a file or a glob (local,
 * {@code gs://}; {@code .gz} and other compressions by extension), pairs named {@code file:line}
 * with {@code file} relative to the glob's directory; {@link #moses} reads two line-aligned files
 * in step, pairs named {@code stem:line} ({@code stem} = the file name without its language
 * extension when both share it, else the Arabic file's name). How lines become pairs: {@link
 * PairParser}.
 *
 * <p>Outputs ({@link PCollectionTuple}):
 *
 * <ul>
 *   <li>{@link #PAIRS}: one {@link ParallelPair} per non-blank line (line pair).
 *   <li>{@link #DEAD_LETTERS}: one {@link DeadLetter} of stage {@code read} per bad line: invalid
 *       UTF-8 (original in Base64), invalid JSON, a missing column or field, an empty side; the
 *       error names the file and line and {@code field} the side.
 * </ul>
 *
 * <p>Failure modes: Moses files whose line counts differ fail the pipeline with an error that
 * gives both counts (misaligned files make every pair after the gap wrong, so judging them would
 * waste every call); a file-system I/O error is thrown for the runner to retry; a single file that
 * does not exist fails the pipeline. Counters: {@code judge/pairs_read}, {@code
 * judge/read_dead_letters}.
 */
public final class ReadParallelPairs extends PTransform<PBegin, PCollectionTuple> {
  public static final TupleTag<ParallelPair> PAIRS = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};

  private final String glob;
  private final String enFile;
  private final String arFile;
  private final PairParser parser;

  private ReadParallelPairs(String glob, String enFile, String arFile, PairParser parser) {
    this.glob = glob;
    this.enFile = enFile;
    this.arFile = arFile;
    this.parser = parser;
  }

  /** Tab-separated lines, columns {@code en,ar} unless {@link #withColumns} says otherwise. */
  public static ReadParallelPairs tsv(String glob) {
    return new ReadParallelPairs(requireGlob(glob), null, null, PairParser.tsv());
  }

  /** JSON Lines: OPUS-100 {@code translation.{en,ar}} or top-level {@code en}/{@code ar}. */
  public static ReadParallelPairs jsonl(String glob) {
    return new ReadParallelPairs(requireGlob(glob), null, null, PairParser.jsonl());
  }

  /** Two line-aligned plain-text files, e.g. {@code corpus.en} and {@code corpus.ar}. */
  public static ReadParallelPairs moses(String enFile, String arFile) {
    if (enFile == null || enFile.isEmpty() || arFile == null || arFile.isEmpty()) {
      throw new IllegalArgumentException("a Moses-style corpus needs an English and an Arabic file");
    }
    return new ReadParallelPairs(null, enFile, arFile, PairParser.moses());
  }

  private static String requireGlob(String glob) {
    if (glob == null || glob.isEmpty()) {
      throw new IllegalArgumentException("ReadParallelPairs needs a file or a glob");
    }
    return glob;
  }

  /** TSV column order, e.g. {@code ar,en} or {@code id,en,ar} ({@link PairParser#withColumns}). */
  public ReadParallelPairs withColumns(String columns) {
    if (parser.format() != ParallelFormat.TSV) {
      throw new IllegalArgumentException("columns apply to TSV input only");
    }
    return new ReadParallelPairs(glob, enFile, arFile, parser.withColumns(columns));
  }

  /** JSONL fields (JSON Pointers or top-level names; null keeps the default). */
  public ReadParallelPairs withFields(String en, String ar, String id) {
    if (parser.format() != ParallelFormat.JSONL) {
      throw new IllegalArgumentException("field names apply to JSONL input only");
    }
    return new ReadParallelPairs(glob, enFile, arFile, parser.withFields(en, ar, id));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("format", parser.format().label())
        .withLabel("Format"));
    builder.addIfNotNull(DisplayData.item("input", glob).withLabel("Input files"));
    builder.addIfNotNull(DisplayData.item("englishFile", enFile).withLabel("English file"));
    builder.addIfNotNull(DisplayData.item("arabicFile", arFile).withLabel("Arabic file"));
  }

  @Override
  public PCollectionTuple expand(PBegin input) {
    if (parser.format() == ParallelFormat.MOSES) {
      return input
          .apply("MosesFiles",
              Create.of(KV.of(enFile, arFile))
                  .withCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of())))
          .apply("ReadAlignedLines",
              ParDo.of(new ReadMosesFn(parser)).withOutputTags(PAIRS, TupleTagList.of(DEAD_LETTERS)));
    }
    return input
        .apply("MatchFiles", FileIO.match().filepattern(glob))
        .apply("OpenFiles", FileIO.readMatches().withCompression(Compression.AUTO))
        .apply("ReadPairsInFile",
            ParDo.of(new ReadFileFn(glob, parser)).withOutputTags(PAIRS, TupleTagList.of(DEAD_LETTERS)));
  }

  /** What {@link #moses} names its pairs by: the shared stem of the two file names, if any. */
  static String mosesName(String enFile, String arFile) {
    String en = RecordNames.baseName(enFile);
    String ar = RecordNames.baseName(arFile);
    int enDot = en.lastIndexOf('.');
    int arDot = ar.lastIndexOf('.');
    if (enDot > 0 && arDot > 0 && en.substring(0, enDot).equals(ar.substring(0, arDot))) {
      return en.substring(0, enDot);
    }
    return ar;
  }

  private static void emit(PairParser.Parsed parsed, DoFn.MultiOutputReceiver out, Counter pairs,
      Counter dead) {
    if (parsed.pair != null) {
      pairs.inc();
      out.get(PAIRS).output(parsed.pair);
    } else if (parsed.deadLetter != null) {
      dead.inc();
      out.get(DEAD_LETTERS).output(parsed.deadLetter);
    }
  }

  private static DeadLetter notUtf8(String file, LineReader.Line line, String which) {
    return new DeadLetter(file + ":" + line.number(), PairParser.STAGE, which,
        "line " + line.number() + ": invalid UTF-8" + (which.isEmpty() ? "" : " in the "
            + (which.equals("/en") ? "English" : "Arabic") + " file"),
        line.base64(), true);
  }

  static final class ReadFileFn extends DoFn<FileIO.ReadableFile, ParallelPair> {
    private final Counter pairs = Metrics.counter("tarjama", "judge/pairs_read");
    private final Counter dead = Metrics.counter("tarjama", "judge/read_dead_letters");
    private final String glob;
    private final PairParser parser;

    ReadFileFn(String glob, PairParser parser) {
      this.glob = glob;
      this.parser = parser;
    }

    @ProcessElement
    public void process(@Element FileIO.ReadableFile file, MultiOutputReceiver out)
        throws IOException {
      String name = RecordNames.fileName(glob, file.getMetadata().resourceId().toString());
      try (LineReader lines = new LineReader(Channels.newInputStream(file.open()))) {
        for (LineReader.Line line = lines.next(); line != null; line = lines.next()) {
          if (!line.valid()) {
            dead.inc();
            out.get(DEAD_LETTERS).output(notUtf8(name, line, ""));
            continue;
          }
          emit(parser.parseLine(name, line.number(), line.text()), out, pairs, dead);
        }
      }
    }
  }

  static final class ReadMosesFn extends DoFn<KV<String, String>, ParallelPair> {
    private final Counter pairs = Metrics.counter("tarjama", "judge/pairs_read");
    private final Counter dead = Metrics.counter("tarjama", "judge/read_dead_letters");
    private final PairParser parser;

    ReadMosesFn(PairParser parser) {
      this.parser = parser;
    }

    @ProcessElement
    public void process(@Element KV<String, String> files, MultiOutputReceiver out)
        throws IOException {
      String enFile = files.getKey();
      String arFile = files.getValue();
      String name = mosesName(enFile, arFile);
      try (LineReader en = new LineReader(open(enFile));
          LineReader ar = new LineReader(open(arFile))) {
        while (true) {
          LineReader.Line e = en.next();
          LineReader.Line a = ar.next();
          if (e == null || a == null) {
            if (e != null || a != null) {
              long enLines = e == null ? a.number() - 1 : count(e, en);
              long arLines = a == null ? e.number() - 1 : count(a, ar);
              throw new MisalignedCorpusException(enFile, arFile, enLines, arLines);
            }
            return;
          }
          if (!e.valid() || !a.valid()) {
            dead.inc();
            out.get(DEAD_LETTERS).output(notUtf8(name, e.valid() ? a : e, e.valid() ? "/ar" : "/en"));
            continue;
          }
          emit(parser.parseMoses(name, e.number(), e.text(), a.text()), out, pairs, dead);
        }
      }
    }

    /** The file's line count, reading on from {@code current}. */
    private static long count(LineReader.Line current, LineReader reader) throws IOException {
      long n = current.number();
      for (LineReader.Line l = reader.next(); l != null; l = reader.next()) {
        n = l.number();
      }
      return n;
    }
  }

  /**
   * Counts the lines of both files of a Moses-style corpus before anything is judged.
   *
   * @throws MisalignedCorpusException when the counts differ (the message gives both)
   */
  public static void checkAligned(String enFile, String arFile) throws IOException {
    long en = lineCount(enFile);
    long ar = lineCount(arFile);
    if (en != ar) {
      throw new MisalignedCorpusException(enFile, arFile, en, ar);
    }
  }

  private static long lineCount(String file) throws IOException {
    long n = 0;
    try (LineReader lines = new LineReader(open(file))) {
      for (LineReader.Line l = lines.next(); l != null; l = lines.next()) {
        n = l.number();
      }
    }
    return n;
  }

  /** Opens one file by name (compression by extension), failing when it does not exist. */
  static InputStream open(String spec) throws IOException {
    ResourceId id = FileSystems.matchSingleFileSpec(spec).resourceId();
    String name = id.getFilename() == null ? spec : id.getFilename();
    return Channels.newInputStream(Compression.detect(name).readDecompressed(FileSystems.open(id)));
  }

  /** Two files of a Moses-style corpus whose lines do not pair up. */
  public static final class MisalignedCorpusException extends IllegalArgumentException {
    MisalignedCorpusException(String enFile, String arFile, long enLines, long arLines) {
      super("the Moses-style files are not line-aligned: " + enFile + " has "
          + enLines + " lines, " + arFile + " has " + arLines + " lines; every pair after the first missing"
          + " line would be wrong, so nothing is judged");
    }
  }
}
