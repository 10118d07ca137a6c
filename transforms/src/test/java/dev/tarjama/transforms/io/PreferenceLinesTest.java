package dev.tarjama.transforms.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.models.tokenize.TokenCounters;
import dev.tarjama.transforms.chunk.Chunker;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.transforms.domain.FieldSegments;
import dev.tarjama.transforms.domain.RecordPlan;
import dev.tarjama.transforms.domain.SegmentedRecord;
import dev.tarjama.transforms.domain.SourceRecord;
import dev.tarjama.transforms.rank.PreferencePair;
import dev.tarjama.transforms.reassemble.CandidateAssembler;
import dev.tarjama.transforms.segment.SegmentPolicy;
import dev.tarjama.transforms.segment.Segmenter;
import dev.tarjama.models.testing.TranslatorAnswers;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * preferences/ lines carry the full messages, as TRL reads them: code, think blocks and every
 * other protected span restored, taken from the record's own messages, not the prose that LR and
 * SCR measure.
 */
class PreferenceLinesTest {
  static final String USER = "List the files with `ls -la` and explain the output.";
  static final String ASSISTANT =
      "<think>\nThe user wants a listing. See https://example.com/ls for details.\n</think>\n\n"
          + "Run this:\n\n```bash\nls -la /tmp\n```\n\nEach line shows one file.";

  static Conversation conversation() {
    var record = RecordJson.MAPPER.createObjectNode();
    var messages = record.putArray("messages");
    messages.addObject().put("role", "user").put("content", USER);
    messages.addObject().put("role", "assistant").put("content", ASSISTANT);
    return new ConversationNormalizer(null, null, "source")
        .normalize(new SourceRecord("f.jsonl:1", "f.jsonl", 1, record.toString())).conversation;
  }

  static RecordPlan plan(Conversation conversation) {
    Segmenter segmenter = new Segmenter(SegmentPolicy.defaults());
    List<FieldSegments> segments = new ArrayList<>();
    for (int f = 0; f < conversation.fields().size(); f++) {
      segments.add(new FieldSegments(f, segmenter.segment(conversation.fields().get(f))));
    }
    return Chunker.bySentences(TokenCounters.approximate(), Chunker.DEFAULT_TOKEN_BUDGET)
        .plan(new SegmentedRecord(conversation, segments));
  }

  /** The loopback translator's variant {@code v} of every chunk, reassembled. */
  static Candidate candidate(RecordPlan plan, String backend, int variant, double rankScore) {
    List<ChunkTranslation> translations = new ArrayList<>();
    for (Chunk chunk : plan.chunks()) {
      translations.add(ChunkTranslation.success(
          chunk, backend, 0, TranslatorAnswers.translate(chunk.text(), variant), 1, 1));
    }
    Candidate c = CandidateAssembler.assemble(plan, backend, 0, translations);
    assertTrue(c.valid(), c.reason());
    return c.withMetrics(1.0, 1.0, false).withRankScore(rankScore);
  }

  @Test
  void pairsHoldTheFullSourceAndTranslatedMessagesWithEverySpanRestored() throws Exception {
    Conversation conversation = conversation();
    RecordPlan plan = plan(conversation);
    Candidate better = candidate(plan, "seedx", 0, 0.9);
    Candidate worse = candidate(plan, "gemma", 3, 0.4);
    PreferencePair pair =
        PreferencePair.of(conversation, List.of(worse, better), 0.05).orElseThrow();

    JsonNode line = RecordJson.parse(OutputRecords.preference(pair));

    String source = USER + "\n\n" + ASSISTANT;
    assertEquals(RecordJson.parse(
            "[{\"role\":\"user\",\"content\":" + RecordJson.MAPPER.valueToTree(source) + "}]"),
        line.get("prompt"));
    for (String side : List.of("chosen", "rejected")) {
      Candidate c = side.equals("chosen") ? better : worse;
      JsonNode translated = RecordJson.parse(c.json()).get("messages");
      String expected = translated.get(0).get("content").asText() + "\n\n"
          + translated.get(1).get("content").asText();
      assertEquals(1, line.get(side).size());
      assertEquals("assistant", line.get(side).get(0).get("role").asText());
      String content = line.get(side).get(0).get("content").asText();
      assertEquals(expected, content, side);
      for (String span : List.of("`ls -la`", "<think>\n", "\n</think>", "https://example.com/ls",
          "```bash\nls -la /tmp\n```")) {
        assertTrue(content.contains(span), side + " lost " + span + ": " + content);
      }
    }
  }
}
