package dev.tarjama.transforms.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.domain.SourceRecord;
import dev.tarjama.models.testing.DataKit;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(TestPipelineExtension.class)
class ReadRecordsTest {

  private static Map<String, Integer> countByFile(Iterable<SourceRecord> records) {
    Map<String, Integer> counts = new TreeMap<>();
    records.forEach(r -> counts.merge(r.file(), 1, Integer::sum));
    return counts;
  }

  @Test
  void readsEveryChatFileOfTheDataKitThroughOneGlob(TestPipeline pipeline) {
    String glob = DataKit.data() + "/instruct/*/*.json*";
    PCollectionTuple read = pipeline.apply(ReadRecords.from(glob));
    PAssert.that(read.get(ReadRecords.DEAD_LETTERS)).empty();
    PAssert.that(read.get(ReadRecords.RECORDS))
        .satisfies(
            records -> {
              assertEquals(
                  new TreeMap<>(Map.ofEntries(
                      Map.entry("alpaca_seed/seed_tasks.jsonl", 175),
                      Map.entry("bfcl/BFCL_v4_live_simple.json", 258),
                      Map.entry("bfcl/BFCL_v4_multi_turn_base.json", 200),
                      Map.entry("bfcl/BFCL_v4_parallel_multiple.json", 200),
                      Map.entry("bfcl/BFCL_v4_simple_python.json", 400),
                      Map.entry("gsm8k/test.jsonl", 1319),
                      Map.entry("llamafactory/alpaca_en_demo.json", 999),
                      Map.entry("llamafactory/dpo_en_demo.json", 300),
                      Map.entry("llamafactory/reason_tool_use_demo_50.jsonl", 50),
                      Map.entry("smoltalk2_style/gsm8k_think.jsonl", 300),
                      Map.entry("smoltalk2_style/think_tools.jsonl", 50))),
                  countByFile(records));
              Map<String, SourceRecord> byId = new HashMap<>();
              records.forEach(r -> assertTrue(byId.put(r.recordId(), r) == null, r.recordId()));
              // BFCL's .json files are JSON Lines: ids by line; LLaMA-Factory's are arrays.
              assertEquals(1, byId.get("bfcl/BFCL_v4_simple_python.json:1").index());
              assertTrue(byId.get("bfcl/BFCL_v4_simple_python.json:1").json()
                  .startsWith("{\"id\": \"simple_python_0\""));
              assertEquals(998, byId.get("llamafactory/alpaca_en_demo.json#998").index());
              assertTrue(byId.containsKey("llamafactory/dpo_en_demo.json#0"));
              assertTrue(byId.containsKey("gsm8k/test.jsonl:1319"));
              return null;
            });
    pipeline.run().waitUntilFinish();
  }

  @Test
  void readsGzippedJsonLinesAndUsesTheRecordsOwnIds(TestPipeline pipeline, @TempDir Path dir)
      throws Exception {
    Path source = DataKit.data("instruct/bfcl/BFCL_v4_live_simple.json");
    Path gz = dir.resolve("live_simple.jsonl.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      Files.copy(source, out);
    }
    List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);

    PCollectionTuple plain = pipeline.apply("Plain", ReadRecords.from(gz.toString()));
    PCollectionTuple byOwnId =
        pipeline.apply("OwnIds", ReadRecords.from(gz.toString()).withIdField("id"));
    PAssert.that(plain.get(ReadRecords.DEAD_LETTERS)).empty();
    PAssert.that(plain.get(ReadRecords.RECORDS))
        .satisfies(
            records -> {
              int n = 0;
              for (SourceRecord r : records) {
                assertEquals("live_simple.jsonl.gz:" + r.index(), r.recordId());
                assertEquals(lines.get((int) r.index() - 1), r.json());
                n++;
              }
              assertEquals(258, n);
              return null;
            });
    PAssert.that(byOwnId.get(ReadRecords.RECORDS))
        .satisfies(
            records -> {
              for (SourceRecord r : records) {
                assertTrue(r.json().startsWith("{\"id\": \"" + r.key().userId() + "\""), r.recordId());
                // The own id joins the record's place: unique even where own ids are not.
                assertEquals("live_simple.jsonl.gz:" + r.index() + "[" + r.key().userId() + "]",
                    r.recordId());
              }
              return null;
            });
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aBrokenJsonArrayKeepsItsGoodElementsAndSaysWhereItBroke(
      TestPipeline pipeline, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("broken.json");
    String tail = ",\n  {\"instruction\": \"e\", \"output\": ]\n";
    Files.writeString(
        file,
        "[\n  {\"instruction\": \"a\", \"output\": \"b\"},\n  42,\n  {\"instruction\": \"c\", \"output\": \"d\"}"
            + tail);
    PCollectionTuple read = pipeline.apply(ReadRecords.from(file.toString()));
    PAssert.that(read.get(ReadRecords.RECORDS))
        .containsInAnyOrder(
            new SourceRecord("broken.json#0", "broken.json", 0, "{\"instruction\":\"a\",\"output\":\"b\"}"),
            new SourceRecord("broken.json#2", "broken.json", 2, "{\"instruction\":\"c\",\"output\":\"d\"}"));
    PAssert.that(read.get(ReadRecords.DEAD_LETTERS))
        .satisfies(
            letters -> {
              Map<String, DeadLetter> byId = new HashMap<>();
              letters.forEach(d -> byId.put(d.recordId(), d));
              assertEquals(2, byId.size());
              DeadLetter number = byId.get("broken.json#1");
              assertEquals("element 1: the JSON value is a number, not an object", number.error());
              assertEquals("42", number.original());
              DeadLetter rest = byId.get("broken.json#3");
              assertTrue(rest.error().startsWith("element 3: invalid JSON: "), rest.error());
              assertTrue(rest.error().contains("(line 5, column 35, byte "), rest.error());
              assertTrue(rest.error().endsWith("; the file ends inside element 3"), rest.error());
              assertEquals(tail.substring(4).strip(), rest.original()); // the element's own bytes
              assertEquals("read", rest.stage());
              return null;
            });
    pipeline.run().waitUntilFinish();
  }

  @Test
  void badLinesOfJsonLinesAreDeadLettersAndTheRestIsRead(TestPipeline pipeline, @TempDir Path dir)
      throws Exception {
    byte[] invalidUtf8 =
        "{\"messages\": [{\"role\": \"user\", \"content\": \"caf\u00e9 ".getBytes(StandardCharsets.UTF_8);
    List<byte[]> lines = new ArrayList<>();
    lines.add("{\"question\": \"q\", \"answer\": \"a\"}".getBytes(StandardCharsets.UTF_8));
    lines.add("{\"question\": \"q\", \"answer\": ".getBytes(StandardCharsets.UTF_8));
    lines.add("   ".getBytes(StandardCharsets.UTF_8));
    byte[] bad = java.util.Arrays.copyOf(invalidUtf8, invalidUtf8.length + 4);
    bad[invalidUtf8.length] = (byte) 0xC3; // a lead byte followed by '('
    bad[invalidUtf8.length + 1] = '(';
    bad[invalidUtf8.length + 2] = '"';
    bad[invalidUtf8.length + 3] = '}';
    lines.add(bad);
    lines.add("[1, 2]\r".getBytes(StandardCharsets.UTF_8));
    lines.add("{\"question\": \"q2\", \"answer\": \"a2\"} {\"x\": 1}".getBytes(StandardCharsets.UTF_8));
    lines.add("{\"question\": \"q3\", \"answer\": \"a3\"}\r".getBytes(StandardCharsets.UTF_8));
    Path file = dir.resolve("lines.jsonl");
    try (OutputStream out = Files.newOutputStream(file)) {
      for (byte[] line : lines) {
        out.write(line);
        out.write('\n');
      }
    }
    PCollectionTuple read = pipeline.apply(ReadRecords.from(dir + "/*.jsonl"));
    PAssert.that(read.get(ReadRecords.RECORDS))
        .containsInAnyOrder(
            new SourceRecord("lines.jsonl:1", "lines.jsonl", 1, "{\"question\": \"q\", \"answer\": \"a\"}"),
            new SourceRecord("lines.jsonl:7", "lines.jsonl", 7, "{\"question\": \"q3\", \"answer\": \"a3\"}"));
    PAssert.that(read.get(ReadRecords.DEAD_LETTERS))
        .satisfies(
            letters -> {
              Map<String, DeadLetter> byId = new TreeMap<>();
              letters.forEach(d -> byId.put(d.recordId(), d));
              assertEquals(List.of("lines.jsonl:2", "lines.jsonl:4", "lines.jsonl:5", "lines.jsonl:6"),
                  new ArrayList<>(byId.keySet()));
              assertTrue(byId.get("lines.jsonl:2").error().startsWith("line 2: invalid JSON: "));
              DeadLetter utf8 = byId.get("lines.jsonl:4");
              assertEquals("line 4: invalid UTF-8 at byte offset " + invalidUtf8.length + " of the line", utf8.error());
              assertTrue(utf8.originalBase64());
              assertEquals(java.util.Base64.getEncoder().encodeToString(bad), utf8.original());
              assertEquals("line 5: the JSON value is a list, not an object", byId.get("lines.jsonl:5").error());
              assertEquals("[1, 2]", byId.get("lines.jsonl:5").original());
              assertTrue(byId.get("lines.jsonl:6").error().contains("Trailing token"), byId.get("lines.jsonl:6").error());
              return null;
            });
    pipeline.run().waitUntilFinish();
  }

  @Test
  void parquetRowsBecomeJsonObjectsWithTheFilesOwnSchema(TestPipeline pipeline, @TempDir Path dir)
      throws Exception {
    KitReader.Collected jsonl = KitReader.read("instruct/smoltalk2_style/think_tools.jsonl");
    Path file = dir.resolve("sft").resolve("think_tools.parquet");
    Files.createDirectories(file.getParent());
    SmolTalk2Parquet.write(file, jsonl.records);
    ArrayList<String> lines = new ArrayList<>();
    jsonl.records.forEach(r -> lines.add(r.json()));

    PCollectionTuple read = pipeline.apply(ReadRecords.from(dir + "/**.parquet"));
    PAssert.that(read.get(ReadRecords.DEAD_LETTERS)).empty();
    PAssert.that(read.get(ReadRecords.RECORDS))
        .satisfies(
            records -> {
              int n = 0;
              for (SourceRecord r : records) {
                assertEquals("sft/think_tools.parquet#" + r.index(), r.recordId());
                JsonNode expected = SmolTalk2Parquet.asSmolTalk2(lines.get((int) r.index()));
                JsonNode actual = SmolTalk2Parquet.parse(r.json());
                assertEquals(expected, actual, r.recordId());
                n++;
              }
              assertEquals(50, n);
              return null;
            });
    pipeline.run().waitUntilFinish();
  }
}
