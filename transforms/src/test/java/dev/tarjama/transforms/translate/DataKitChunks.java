package dev.tarjama.transforms.translate;

import dev.tarjama.models.tokenize.TokenCounters;
import dev.tarjama.transforms.chunk.Chunker;
import dev.tarjama.transforms.io.ConversationNormalizer;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.transforms.domain.FieldSegments;
import dev.tarjama.transforms.domain.SegmentedRecord;
import dev.tarjama.transforms.domain.SourceRecord;
import dev.tarjama.transforms.segment.SegmentPolicy;
import dev.tarjama.transforms.segment.Segmenter;
import dev.tarjama.models.testing.DataKit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * The chunks the pipeline makes of a data-kit JSON Lines file, made with the stages' own plain
 * classes (normalizer, segmenter with the default policy, sentence chunker at the default budget
 * with the bytes/4 token estimate), for tests that need real chunks outside a pipeline.
 */
public final class DataKitChunks {
  private DataKitChunks() {}

  /** The chunks of the first {@code records} records of a JSON Lines file of the data kit. */
  public static List<Chunk> of(String relative, int records) throws IOException {
    Path file = DataKit.data(relative);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    ConversationNormalizer normalizer = new ConversationNormalizer(null, null, "source");
    Segmenter segmenter = new Segmenter(SegmentPolicy.defaults());
    Chunker chunker =
        Chunker.bySentences(TokenCounters.approximate(), Chunker.DEFAULT_TOKEN_BUDGET);
    List<Chunk> chunks = new ArrayList<>();
    for (int i = 0; i < Math.min(records, lines.size()); i++) {
      String id = file.getFileName() + ":" + (i + 1);
      Conversation conversation =
          normalizer.normalize(new SourceRecord(id, file.toString(), i, lines.get(i))).conversation;
      List<FieldSegments> segments = new ArrayList<>();
      for (int f = 0; f < conversation.fields().size(); f++) {
        segments.add(new FieldSegments(f, segmenter.segment(conversation.fields().get(f))));
      }
      chunks.addAll(chunker.plan(new SegmentedRecord(conversation, segments)).chunks());
    }
    return chunks;
  }

  /** How many distinct texts the chunks have. */
  public static int distinctTexts(List<Chunk> chunks) {
    HashSet<String> texts = new HashSet<>();
    chunks.forEach(c -> texts.add(c.text()));
    return texts.size();
  }
}
