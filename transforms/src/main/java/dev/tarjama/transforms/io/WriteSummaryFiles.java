package dev.tarjama.transforms.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Writes a command's one-file summaries (the JSON its report is made from, under {@code
 * _summary/}) with one writer, local or gs:// (Beam's file systems): each file as {@code
 * TextIO.write().to(DIRECTORY + name).withoutSharding()} writes it, byte for byte.
 *
 * <p>Input: a tuple of text lines, one {@link #file} tag per file; the tag names the file under the
 * directory ({@code summary.json}). Each element is one line of its file (UTF-8, a newline after
 * each, in no set order); a tag without an element gets an empty file. Output: nothing; when the
 * pipeline is done, every file is in place.
 *
 * <p>Why not FileIO: these files are small and are written last, once every summary is known, so
 * whatever the writer costs after that is the run's tail. FileIO's temporary files, their
 * gathering and the finalizing rename are several more groupings in a row (and dozens of steps in
 * the job graph); here one grouping by file name hands each file's lines to one call that writes
 * it whole, and a retried call writes the same file again.
 *
 * <p>Failure modes: a file name that is empty or holds a slash is refused when the pipeline is built
 * ({@link IllegalArgumentException}); a file system error fails the write like any Beam write.
 */
public final class WriteSummaryFiles extends PTransform<PCollectionTuple, PDone> {
  /** A line of a file, or (null) the mark that the file is written even without a line. */
  private static final Coder<KV<String, String>> LINE =
      KvCoder.of(StringUtf8Coder.of(), NullableCoder.of(StringUtf8Coder.of()));

  private final String directory;

  private WriteSummaryFiles(String directory) {
    this.directory = directory;
  }

  /** Files directly under {@code directory} (a trailing slash is added when missing). */
  public static WriteSummaryFiles to(String directory) {
    return new WriteSummaryFiles(directory.endsWith("/") ? directory : directory + "/");
  }

  /** The tag of the lines of the file {@code name} (a name, no path) in the input tuple. */
  public static TupleTag<String> file(String name) {
    if (name.isEmpty() || name.contains("/")) {
      throw new IllegalArgumentException("a summary file is a name, not a path: '" + name + "'");
    }
    return new TupleTag<>(name);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("directory", directory).withLabel("Summary directory"));
  }

  @Override
  public PDone expand(PCollectionTuple input) {
    List<KV<String, String>> marks = new ArrayList<>();
    PCollectionList<KV<String, String>> lines = PCollectionList.empty(input.getPipeline());
    for (Map.Entry<TupleTag<?>, PValue> e : input.expand().entrySet()) {
      String name = file(e.getKey().getId()).getId();
      @SuppressWarnings("unchecked")
      PCollection<String> summary = (PCollection<String>) e.getValue();
      lines = lines.and(summary
          .apply("Lines_" + name, MapElements.into(
                  TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
              .via((String line) -> KV.of(name, line)))
          .setCoder(LINE));
      marks.add(KV.of(name, null));
    }
    // TextIO writes an empty file for a summary without an element: the mark opens that file.
    lines = lines.and(input.getPipeline().apply("Files", Create.of(marks).withCoder(LINE)));
    lines
        .apply("AllLines", Flatten.pCollections())
        .setCoder(LINE)
        .apply("ByFile", GroupByKey.create())
        .apply("WriteFiles", ParDo.of(new WriteFileFn(directory)));
    return PDone.in(input.getPipeline());
  }

  /** Writes one file from all its lines, each followed by a newline, as TextIO's sink does. */
  private static final class WriteFileFn extends DoFn<KV<String, Iterable<String>>, Void> {
    private final String directory;

    WriteFileFn(String directory) {
      this.directory = directory;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<String>> file) throws IOException {
      ResourceId target = FileSystems.matchNewResource(directory + file.getKey(), false);
      try (OutputStream out = new BufferedOutputStream(
          Channels.newOutputStream(FileSystems.create(target, MimeTypes.TEXT)))) {
        for (String line : file.getValue()) {
          if (line != null) {
            out.write(line.getBytes(StandardCharsets.UTF_8));
            out.write('\n');
          }
        }
      }
    }
  }
}
