package dev.tarjama.transforms.segment;

import dev.tarjama.transforms.domain.ModelCoders;
import static dev.tarjama.transforms.testing.PipelineMetrics.counter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.domain.FieldSegments;
import dev.tarjama.transforms.domain.Piece;
import dev.tarjama.transforms.domain.SegmentedRecord;
import dev.tarjama.transforms.domain.TextField;
import dev.tarjama.models.testing.DataKit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SegmentRecords on the real think + tool-call records, plus one record that cannot be cut. */
@ExtendWith(TestPipelineExtension.class)
class SegmentRecordsTest {

  private static final String FILE = "instruct/smoltalk2_style/think_tools.jsonl";

  /** The records of think_tools.jsonl as conversations: one text field per message. */
  static List<Conversation> thinkToolsConversations() throws Exception {
    Path path = DataKit.dataFile(FILE);
    List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    List<Conversation> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      JsonNode record = KitRecords.JSON.readTree(lines.get(i));
      List<TextField> fields = new ArrayList<>();
      JsonNode messages = record.get("messages");
      for (int m = 0; m < messages.size(); m++) {
        fields.add(new TextField("/messages/" + m + "/content", messages.get(m).get("role").asText(),
            "text", messages.get(m).get("content").asText()));
      }
      out.add(new Conversation("think_tools.jsonl:" + (i + 1), record.get("source").asText(),
          "messages", lines.get(i), fields));
    }
    return out;
  }

  @Test
  void segmentsEveryRecordAndDeadLettersTheOneThatCannotBeCut(TestPipeline pipeline)
      throws Exception {
    List<Conversation> conversations = thinkToolsConversations();
    assertEquals(50, conversations.size());
    // a prose run with more inline spans than placeholders can number
    String tooManySpans = "word `x` ".repeat(Segmenter.MAX_SPANS_PER_PIECE + 1) + "end";
    Conversation broken = new Conversation("inline:1", "edge", "messages",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"…\"}]}",
        List.of(new TextField("/messages/0/content", "user", "text", "fine"),
            new TextField("/messages/1/content", "assistant", "text", tooManySpans)));
    List<Conversation> input = new ArrayList<>(conversations);
    input.add(broken);

    PCollection<Conversation> in =
        pipeline.apply(Create.of(input).withCoder(new ModelCoders.ConversationCoder()));
    PCollectionTuple out = in.apply(SegmentRecords.create());

    PAssert.that(out.get(SegmentRecords.SEGMENTED).apply("CountSegmented", Count.globally()))
        .containsInAnyOrder(50L);
    PAssert.that(out.get(SegmentRecords.SEGMENTED)).satisfies(records -> {
      for (SegmentedRecord r : records) {
        assertEquals(r.conversation().fields().size(), r.fields().size(), r.conversation().recordId());
        for (FieldSegments f : r.fields()) {
          TextField field = r.conversation().fields().get(f.fieldIndex());
          StringBuilder restored = new StringBuilder();
          for (Piece p : f.pieces()) {
            restored.append(p.original());
          }
          assertEquals(field.text(), restored.toString(), r.conversation().recordId() + field.pointer());
          if (field.role().equals("tool")) {
            assertEquals(List.of(Piece.verbatim("untranslated", field.text())), f.pieces());
          }
        }
      }
      return null;
    });
    String brokenJson = broken.json();
    PAssert.that(out.get(SegmentRecords.DEAD_LETTERS)).satisfies(dead -> {
      List<DeadLetter> all = new ArrayList<>();
      dead.forEach(all::add);
      assertEquals(1, all.size());
      DeadLetter d = all.get(0);
      assertEquals("inline:1", d.recordId());
      assertEquals("segment", d.stage());
      assertEquals("/messages/1/content", d.field());
      assertEquals(brokenJson, d.original());
      assertTrue(d.error().contains("inline:1") && d.error().contains("/messages/1/content")
          && d.error().contains("10001 protected spans"), d.error());
      return null;
    });

    PipelineResult result = pipeline.run();
    result.waitUntilFinish();

    long toolCalls = 0;
    for (Conversation c : conversations) {
      for (TextField f : c.fields()) {
        toolCalls += f.text().split("<tool_call>", -1).length - 1;
      }
    }
    assertEquals(68, toolCalls);
    assertEquals(51, counter(result, "segment_records"));
    assertEquals(1, counter(result, "segment_dead_letters"));
    assertEquals(68, counter(result, "segment_span_tool_call"));
    assertEquals(42, counter(result, "segment_span_untranslated"));
  }
}
