package dev.tarjama.transforms.chunk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.transforms.domain.FieldSegments;
import dev.tarjama.transforms.domain.Piece;
import dev.tarjama.transforms.domain.Placeholders;
import dev.tarjama.transforms.domain.SegmentedRecord;
import dev.tarjama.transforms.domain.TextField;
import dev.tarjama.models.testing.DataKit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Segmented records from the data kit, cut by a deliberately simple local segmentation (the real
 * one lives in the segment stage): fenced code, tool-call blocks and think tags are verbatim
 * blocks; inline code and URLs become placeholders in the prose.
 */
final class RealRecords {
  static final String QWEN3 = DataKit.tokenizer("qwen3").toString();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern BLOCK =
      Pattern.compile("(?s)```.*?```|<tool_call>.*?</tool_call>|</?think>");
  private static final Pattern INLINE = Pattern.compile("`[^`\\n]+`|https?://[^\\s)\\]]+");

  private RealRecords() {}

  /** llamafactory/dpo_en_demo.json: ShareGPT conversations with chosen and rejected answers. */
  static List<SegmentedRecord> dpoEnDemo() {
    Path file = DataKit.data("instruct/llamafactory/dpo_en_demo.json");
    JsonNode array = read(file);
    List<SegmentedRecord> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      JsonNode record = array.get(i);
      List<TextField> fields = new ArrayList<>();
      JsonNode turns = record.get("conversations");
      for (int k = 0; k < turns.size(); k++) {
        fields.add(new TextField("/conversations/" + k + "/value",
            role(turns.get(k).get("from").asText()), "text", turns.get(k).get("value").asText()));
      }
      for (String answer : List.of("chosen", "rejected")) {
        fields.add(new TextField("/" + answer + "/value", "assistant", "text",
            record.get(answer).get("value").asText()));
      }
      out.add(segment(new Conversation("dpo_en_demo.json#" + i, "dpo_en_demo", "sharegpt",
          record.toString(), fields)));
    }
    return out;
  }

  /** smoltalk2_style/think_tools.jsonl: messages with think blocks and tool calls. */
  static List<SegmentedRecord> thinkTools() {
    Path file = DataKit.data("instruct/smoltalk2_style/think_tools.jsonl");
    List<SegmentedRecord> out = new ArrayList<>();
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (int line = 0; line < lines.size(); line++) {
        JsonNode record = JSON.readTree(lines.get(line));
        JsonNode messages = record.get("messages");
        List<TextField> fields = new ArrayList<>();
        for (int k = 0; k < messages.size(); k++) {
          JsonNode content = messages.get(k).get("content");
          if (content != null && content.isTextual()) {
            fields.add(new TextField("/messages/" + k + "/content",
                messages.get(k).get("role").asText(), "text", content.asText()));
          }
        }
        out.add(segment(new Conversation("think_tools.jsonl:" + (line + 1), "think_tools",
            "messages", lines.get(line), fields)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static SegmentedRecord segment(Conversation conversation) {
    List<FieldSegments> fields = new ArrayList<>();
    for (int i = 0; i < conversation.fields().size(); i++) {
      fields.add(new FieldSegments(i, pieces(conversation.fields().get(i).text())));
    }
    return new SegmentedRecord(conversation, fields);
  }

  static List<Piece> pieces(String text) {
    List<Piece> pieces = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    int last = 0;
    while (m.find()) {
      if (m.start() > last) {
        pieces.add(prose(text.substring(last, m.start())));
      }
      pieces.add(Piece.verbatim(m.group().startsWith("```") ? "code_fence" : "tag", m.group()));
      last = m.end();
    }
    if (last < text.length()) {
      pieces.add(prose(text.substring(last)));
    }
    return pieces;
  }

  private static Piece prose(String text) {
    List<String> spans = new ArrayList<>();
    List<String> types = new ArrayList<>();
    StringBuilder out = new StringBuilder();
    Matcher m = INLINE.matcher(text);
    int last = 0;
    while (m.find()) {
      out.append(text, last, m.start()).append(Placeholders.of(spans.size()));
      spans.add(m.group());
      types.add(m.group().startsWith("`") ? "inline_code" : "url");
      last = m.end();
    }
    out.append(text, last, text.length());
    return Piece.prose(out.toString(), spans, types);
  }

  private static String role(String from) {
    return switch (from) {
      case "human" -> "user";
      case "gpt" -> "assistant";
      default -> from;
    };
  }

  private static JsonNode read(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
