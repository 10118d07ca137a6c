package dev.tarjama.transforms.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The summaries through one writer are the files TextIO's one-file writes made. */
@ExtendWith(TestPipelineExtension.class)
class WriteSummaryFilesTest {
  @Test
  void eachFileIsWhatTextIoWritesWithoutSharding(TestPipeline p, @TempDir Path tmp)
      throws Exception {
    String one = "{\"records\":3,\"note\":\"قراءة\"}";
    PCollection<String> summary = p.apply("One", Create.of(one).withCoder(StringUtf8Coder.of()));
    PCollection<String> none = p.apply("None", Create.empty(StringUtf8Coder.of()));
    PCollection<String> line = p.apply("Line", Create.of("").withCoder(StringUtf8Coder.of()));
    String beside = tmp.resolve("textio").toString() + "/";
    summary.apply("TextOne", TextIO.write().to(beside + "summary").withSuffix(".json")
        .withoutSharding());
    none.apply("TextNone", TextIO.write().to(beside + "sample").withSuffix(".json")
        .withoutSharding());
    line.apply("TextLine", TextIO.write().to(beside + "outputs").withSuffix(".jsonl")
        .withoutSharding());
    Path out = tmp.resolve("out/_summary");
    PCollectionTuple.of(WriteSummaryFiles.file("summary.json"), summary)
        .and(WriteSummaryFiles.file("sample.json"), none)
        .and(WriteSummaryFiles.file("outputs.jsonl"), line)
        .apply(WriteSummaryFiles.to(out.toString()));
    p.run().waitUntilFinish();

    assertEquals(List.of("outputs.jsonl", "sample.json", "summary.json"), names(out),
        "the files and nothing else (no temporary folder)");
    for (String name : List.of("summary.json", "sample.json", "outputs.jsonl")) {
      assertArrayEquals(Files.readAllBytes(Path.of(beside, name)),
          Files.readAllBytes(out.resolve(name)), name);
    }
    assertEquals(0, Files.size(out.resolve("sample.json")), "a summary without an element");
  }

  @Test
  void aFileIsANameNotAPath() {
    assertThrows(IllegalArgumentException.class, () -> WriteSummaryFiles.file("a/b.json"));
    assertThrows(IllegalArgumentException.class, () -> WriteSummaryFiles.file(""));
  }

  private static List<String> names(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }
}
