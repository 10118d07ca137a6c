package dev.tarjama.transforms.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.domain.TextField;
import dev.tarjama.models.testing.DataKit;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(TestPipelineExtension.class)
class NormalizeRecordsTest {

  private static String line(String relative, int number) throws Exception {
    return Files.readAllLines(DataKit.data(relative), StandardCharsets.UTF_8).get(number - 1);
  }

  /**
   * Real records mixed with one line of each malformed kind: every bad line ends as exactly one
   * dead letter that names it (and its field), every good record comes through.
   */
  @Test
  void eachMalformedLineIsOneNamedDeadLetterAndEveryGoodRecordComesThrough(
      TestPipeline pipeline, @TempDir Path dir) throws Exception {
    ByteArrayOutputStream mixed = new ByteArrayOutputStream();
    List<String> lines =
        List.of(
            line("instruct/smoltalk2_style/think_tools.jsonl", 1), // 1 good: messages
            "{\"messages\": [{\"role\": \"user\", \"content\": \"unterminated}", // 2 bad JSON
            "", // 3 blank: not a record
            "{\"text\": \"no schema here\", \"source\": \"web\"}", // 4 missing messages
            "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", "
                + "\"content\": \"Hello\"}, {\"role\": \"user\", \"content\": 42}]}", // 5 wrong type
            "{\"messages\": [{\"role\": \"user\", \"content\": \"\"}]}", // 6 empty content
            "@INVALID_UTF8@", // 7 invalid UTF-8
            "[\"user\", \"hi\"]", // 8 JSON, not an object
            line("instruct/gsm8k/test.jsonl", 1), // 9 good: fields
            line("instruct/llamafactory/reason_tool_use_demo_50.jsonl", 2)); // 10 good: typed parts
    for (String l : lines) {
      if (l.equals("@INVALID_UTF8@")) {
        mixed.write("{\"messages\": [{\"role\": \"user\", \"content\": \"caf".getBytes(StandardCharsets.UTF_8));
        mixed.write(new byte[] {(byte) 0xE9, '"', '}', ']', '}'}); // Latin-1 é
      } else {
        mixed.write(l.getBytes(StandardCharsets.UTF_8));
      }
      mixed.write('\n');
    }
    Files.write(dir.resolve("mixed.jsonl"), mixed.toByteArray());
    String alpaca = Files.readString(DataKit.data("instruct/llamafactory/alpaca_en_demo.json"));
    List<?> elements = RecordJson.MAPPER.readValue(alpaca, List.class);
    Files.writeString(
        dir.resolve("mixed_array.json"),
        "[" + RecordJson.MAPPER.writeValueAsString(elements.get(0)) + ", \"not an object\", "
            + RecordJson.MAPPER.writeValueAsString(elements.get(1)) + "]");

    PCollectionTuple read = pipeline.apply(ReadRecords.from(dir + "/mixed*"));
    PCollectionTuple normalized =
        read.get(ReadRecords.RECORDS).apply(NormalizeRecords.auto());
    PCollection<DeadLetter> deadLetters =
        PCollectionList.of(read.get(ReadRecords.DEAD_LETTERS))
            .and(normalized.get(NormalizeRecords.DEAD_LETTERS))
            .apply(Flatten.pCollections());

    PAssert.that(
            deadLetters.apply(
                "DeadLetterKeys",
                MapElements.into(TypeDescriptors.strings())
                    .via(d -> d.recordId() + " " + d.stage() + " " + d.field() + " " + d.originalBase64())))
        .containsInAnyOrder(
            "mixed.jsonl:2 read  false",
            "mixed.jsonl:4 normalize  false",
            "mixed.jsonl:5 normalize /messages/2/content false",
            "mixed.jsonl:6 normalize /messages/0/content false",
            "mixed.jsonl:7 read  true",
            "mixed.jsonl:8 read  false",
            "mixed_array.json#1 read  false");
    PAssert.that(deadLetters)
        .satisfies(
            letters -> {
              Map<String, String> errors = new TreeMap<>();
              letters.forEach(d -> errors.put(d.recordId(), d.error()));
              assertTrue(errors.get("mixed.jsonl:2").startsWith("line 2: invalid JSON: "));
              assertTrue(errors.get("mixed.jsonl:4").startsWith("no messages/conversations/instruction field"));
              assertEquals("/messages/2/content: content is a number, expected a string or a list of content parts",
                  errors.get("mixed.jsonl:5"));
              assertEquals("/messages/0/content: empty content and no tool_calls", errors.get("mixed.jsonl:6"));
              assertEquals("line 7: invalid UTF-8 at byte offset 46 of the line", errors.get("mixed.jsonl:7"));
              assertEquals("line 8: the JSON value is a list, not an object", errors.get("mixed.jsonl:8"));
              assertEquals("element 1: the JSON value is a string, not an object", errors.get("mixed_array.json#1"));
              letters.forEach(d -> assertTrue(!d.original().isEmpty(), d.recordId()));
              return null;
            });

    PCollection<Conversation> conversations = normalized.get(NormalizeRecords.CONVERSATIONS);
    PAssert.that(
            conversations.apply(
                "ConversationKeys",
                MapElements.into(TypeDescriptors.strings())
                    .via(c -> c.recordId() + " " + c.format() + " " + c.split() + " " + c.fields().size())))
        .containsInAnyOrder(
            "mixed.jsonl:1 messages reason_tool_use_demo_50 3",
            "mixed.jsonl:9 fields mixed 2",
            "mixed.jsonl:10 messages mixed 13",
            "mixed_array.json#0 alpaca mixed_array 2",
            "mixed_array.json#2 alpaca mixed_array 2");
    pipeline.run().waitUntilFinish();
  }

  /** A SmolTalk2 Parquet row normalizes to the same text fields as the same record in JSON Lines. */
  @Test
  void parquetAndJsonLinesGiveTheSameConversations(TestPipeline pipeline, @TempDir Path dir)
      throws Exception {
    KitReader.Collected jsonl = KitReader.read("instruct/smoltalk2_style/think_tools.jsonl");
    SmolTalk2Parquet.write(dir.resolve("think_tools.parquet"), jsonl.records);
    ConversationNormalizer normalizer = new ConversationNormalizer(null, null, "source");
    List<String> expected = new ArrayList<>();
    for (var record : jsonl.records) {
      Conversation c = normalizer.normalize(record).conversation;
      expected.add(describe(c).replace("think_tools.jsonl:" + record.index(), "think_tools.parquet#" + (record.index() - 1)));
    }

    PCollectionTuple normalized =
        pipeline
            .apply(ReadRecords.from(dir.resolve("think_tools.parquet").toString()))
            .get(ReadRecords.RECORDS)
            .apply(NormalizeRecords.auto());
    PAssert.that(normalized.get(NormalizeRecords.DEAD_LETTERS)).empty();
    PAssert.that(
            normalized
                .get(NormalizeRecords.CONVERSATIONS)
                .apply(MapElements.into(TypeDescriptors.strings()).via(NormalizeRecordsTest::describe)))
        .containsInAnyOrder(expected);
    pipeline.run().waitUntilFinish();
  }

  private static String describe(Conversation c) {
    StringBuilder s = new StringBuilder(c.recordId() + " " + c.format() + " " + c.split());
    for (TextField f : c.fields()) {
      s.append('\n').append(f.pointer()).append(' ').append(f.role()).append(' ').append(f.kind())
          .append(' ').append(f.text());
    }
    return s.toString();
  }
}
