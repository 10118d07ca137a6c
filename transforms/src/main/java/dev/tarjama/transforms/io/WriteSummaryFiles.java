package dev.tarjama.transforms.io;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.display.DisplayData;
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
 * _summary/}) with one writer, local or gs:// (Beam's FileIO): each file as {@code
 * TextIO.write().to(DIRECTORY + name).withoutSharding()} writes it, byte for byte.
 *
 * <p>Input: a tuple of text lines, one {@link #file} tag per file; the tag names the file under the
 * directory ({@code summary.json}). Each element is one line of its file (UTF-8, a newline after
 * each, in no set order); a tag without an element gets an empty file. Output: nothing; when the
 * pipeline is done, every file is in place and the writer's temporary folder ({@value
 * WriteOutputs#TEMPORARY}, under the directory) is gone.
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
    WriteFilesResult<String> written = lines
        .apply("AllLines", Flatten.pCollections())
        .setCoder(LINE)
        .apply("Write", FileIO.<String, KV<String, String>>writeDynamic()
            .by(KV::getKey)
            .withDestinationCoder(StringUtf8Coder.of())
            .via(new Lines())
            .to(directory)
            .withNaming(name -> (window, pane, shards, shard, compression) -> name)
            .withNumShards(1));
    // Once every file is in place (one group of all their names): the temporary folder goes.
    written.getPerDestinationOutputFilenames()
        .apply("AllFiles", WithKeys.of(""))
        .setCoder(KvCoder.of(StringUtf8Coder.of(),
            KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of())))
        .apply("Written", GroupByKey.create())
        .apply("RemoveTemporaryFolder", ParDo.of(new RemoveTemporaryFolder(directory)));
    return PDone.in(input.getPipeline());
  }

  /** Text lines as {@link TextIO#sink} writes them; a mark writes nothing. */
  private static final class Lines implements FileIO.Sink<KV<String, String>> {
    private static final long serialVersionUID = 1L;
    private transient FileIO.Sink<String> text;

    @Override
    public void open(WritableByteChannel channel) throws IOException {
      text = TextIO.sink();
      text.open(channel);
    }

    @Override
    public void write(KV<String, String> line) throws IOException {
      if (line.getValue() != null) {
        text.write(line.getValue());
      }
    }

    @Override
    public void flush() throws IOException {
      text.flush();
    }
  }

  private static final class RemoveTemporaryFolder
      extends DoFn<KV<String, Iterable<KV<String, String>>>, Void> {
    private final String directory;

    RemoveTemporaryFolder(String directory) {
      this.directory = directory;
    }

    @ProcessElement
    public void process() throws IOException {
      WriteOutputs.removeTemporaryFolder(directory + WriteOutputs.TEMPORARY);
    }
  }
}
