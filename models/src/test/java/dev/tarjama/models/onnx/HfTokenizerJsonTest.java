package dev.tarjama.models.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.models.local.Decoding;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tokenizer.json path (NLLB and other exports): model A with its SentencePiece files replaced
 * by the equivalent Hugging Face Unigram tokenizer.json (what transformers' converters write: the
 * source pieces with their SentencePiece scores in the joint vocab.json id space, Metaspace, {@code
 * </s>} appended) translates exactly as the SentencePiece path does.
 */
class HfTokenizerJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path temp;

  @Test
  void aTokenizerJsonExportTranslatesLikeTheSentencePieceOne() throws IOException {
    Path source = TinyModels.model(TinyModels.A);
    Path dir = temp.resolve("tiny-en-ar-a-tokenizer-json");
    Files.createDirectories(dir);
    for (String file :
        List.of("encoder_model.onnx", "decoder_model.onnx", "decoder_with_past_model.onnx",
            "config.json", "generation_config.json")) {
      Files.copy(source.resolve(file), dir.resolve(file));
    }
    writeTokenizerJson(source, dir.resolve("tokenizer.json"));

    List<String> english = TinyModels.heldOutEnglish(48);
    try (MarianTranslators.Lease json = MarianTranslators.acquire(MarianModelConfig.of(dir));
        MarianTranslators.Lease spm = MarianTranslators.acquire(MarianModelConfig.of(source))) {
      assertTrue(json.describe().contains("tokenizer.json"), json.describe());
      for (String sentence : english) {
        assertEquals(spm.countSourceTokens(sentence), json.countSourceTokens(sentence), sentence);
      }
      assertEquals(
          TinyModels.referenceGreedy(TinyModels.A, 48),
          json.translate(english, Decoding.greedy()).stream().map(c -> c.get(0).text()).toList());
    }
  }

  /** A Unigram tokenizer.json over vocab.json's ids with source.spm's piece scores. */
  private static void writeTokenizerJson(Path model, Path out) throws IOException {
    Map<String, Integer> vocab = new HashMap<>();
    JSON.readTree(model.resolve("vocab.json").toFile())
        .fields()
        .forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt()));
    Map<String, Float> scores = spmScores(Files.readAllBytes(model.resolve("source.spm")));
    TreeMap<Integer, String> byId = new TreeMap<>();
    vocab.forEach((piece, id) -> byId.put(id, piece));

    ObjectNode root = JSON.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (String special : List.of("</s>", "<unk>", "<pad>")) {
      ObjectNode token = added.addObject();
      token.put("id", vocab.get(special));
      token.put("content", special);
      token.put("single_word", false);
      token.put("lstrip", false);
      token.put("rstrip", false);
      token.put("normalized", false);
      token.put("special", true);
    }
    root.putObject("normalizer").put("type", "NFKC");
    ObjectNode pre = root.putObject("pre_tokenizer");
    pre.put("type", "Metaspace").put("replacement", "▁").put("prepend_scheme", "always").put("split", true);
    ObjectNode post = root.putObject("post_processor");
    post.put("type", "TemplateProcessing");
    ArrayNode single = post.putArray("single");
    single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    single.addObject().putObject("SpecialToken").put("id", "</s>").put("type_id", 0);
    ArrayNode pair = post.putArray("pair");
    pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 0);
    pair.addObject().putObject("SpecialToken").put("id", "</s>").put("type_id", 0);
    ObjectNode eos = post.putObject("special_tokens").putObject("</s>");
    eos.put("id", "</s>");
    eos.putArray("ids").add(vocab.get("</s>"));
    eos.putArray("tokens").add("</s>");
    ObjectNode decoder = root.putObject("decoder");
    decoder.put("type", "Metaspace").put("replacement", "▁").put("prepend_scheme", "always").put("split", true);
    ObjectNode unigram = root.putObject("model");
    unigram.put("type", "Unigram");
    unigram.put("unk_id", vocab.get("<unk>"));
    unigram.put("byte_fallback", false);
    ArrayNode pieces = unigram.putArray("vocab");
    int expected = 0;
    for (Map.Entry<Integer, String> e : byId.entrySet()) {
      assertEquals(expected++, e.getKey(), "vocab.json ids are dense");
      // Target-only (Arabic) pieces never win against the source pieces on English text.
      float score = e.getValue().startsWith("<") ? 0f : scores.getOrDefault(e.getValue(), -1000f);
      pieces.addArray().add(e.getValue()).add(score);
    }
    JSON.writeValue(out.toFile(), root);
  }

  /** Piece → score of a SentencePiece ModelProto (field 1: repeated {1: piece, 2: score}). */
  private static Map<String, Float> spmScores(byte[] proto) {
    Map<String, Float> scores = new HashMap<>();
    ByteBuffer in = ByteBuffer.wrap(proto).order(ByteOrder.LITTLE_ENDIAN);
    while (in.hasRemaining()) {
      long tag = varint(in);
      if (tag == ((1 << 3) | 2)) {
        int length = (int) varint(in);
        ByteBuffer piece = in.slice(in.position(), length).order(ByteOrder.LITTLE_ENDIAN);
        in.position(in.position() + length);
        String text = null;
        float score = 0;
        while (piece.hasRemaining()) {
          long field = varint(piece);
          if (field == ((1 << 3) | 2)) {
            byte[] bytes = new byte[(int) varint(piece)];
            piece.get(bytes);
            text = new String(bytes, StandardCharsets.UTF_8);
          } else if (field == ((2 << 3) | 5)) {
            score = piece.getFloat();
          } else {
            skip(piece, (int) (field & 7));
          }
        }
        scores.put(text, score);
      } else {
        skip(in, (int) (tag & 7));
      }
    }
    return scores;
  }

  private static void skip(ByteBuffer in, int wireType) {
    switch (wireType) {
      case 0 -> varint(in);
      case 1 -> in.position(in.position() + 8);
      case 2 -> {
        int length = (int) varint(in);
        in.position(in.position() + length);
      }
      case 5 -> in.position(in.position() + 4);
      default -> throw new IllegalStateException("wire type " + wireType);
    }
  }

  private static long varint(ByteBuffer in) {
    long value = 0;
    for (int shift = 0; ; shift += 7) {
      byte b = in.get();
      value |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
  }
}
