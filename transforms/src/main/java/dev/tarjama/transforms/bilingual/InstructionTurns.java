package dev.tarjama.transforms.bilingual;

import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.transforms.domain.ModelCoders;
import dev.tarjama.transforms.domain.TextField;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviders;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * A record read as one instruction and one response (Hala's bilingual supervision unit), or why it
 * is not one. Built from the record's {@link Conversation} alone, so it can be decided before the
 * translation is known: the English texts, and the JSON Pointers where the translated record holds
 * the Arabic of each part.
 *
 * <p>Turns: fields in document order; a new turn starts when the role changes, or when two fields
 * belong to different messages of a message list ({@code messages[i]}, {@code conversations[i]},
 * BFCL {@code question[t][i]}, {@code chosen[i]}, Self-Instruct {@code instances[i]}). Flat fields
 * of one role are one turn (Alpaca {@code instruction} + {@code input}; Open-Orca {@code
 * question}), their texts joined by a blank line; a text repeated within a turn (SmolTalk2
 * preference records repeat the prompt in {@code chosen}) is taken once. Preference records use
 * their {@code chosen} answer; {@code rejected} is ignored.
 *
 * <p>Eligible: system turns only at the start (kept aside as the system prompt), then exactly one
 * user turn and one assistant turn. Otherwise the reason is {@value #MULTI_TURN} (more than one
 * user or assistant turn), {@value #TOOLS_OR_PARTS} (tool calls, tool results or typed reasoning
 * parts: not plain instruction/response text) or {@value #NOT_INSTRUCTION} (no user or no
 * assistant turn, or turns out of order).
 *
 * @param recordId the record's id
 * @param skipReason "" when eligible, else why not
 * @param systemEn the English system prompt ("" for none)
 * @param instructionEn the English instruction
 * @param responseEn the English response
 * @param systemPointers where the translated record holds the system prompt
 * @param instructionPointers where the translated record holds the instruction
 * @param responsePointers where the translated record holds the response
 */
@DefaultCoder(InstructionTurns.InstructionTurnsCoder.class)
public record InstructionTurns(
    String recordId,
    String skipReason,
    String systemEn,
    String instructionEn,
    String responseEn,
    List<String> systemPointers,
    List<String> instructionPointers,
    List<String> responsePointers) {
  public static final String MULTI_TURN = "multi_turn";
  public static final String TOOLS_OR_PARTS = "tool_calls_or_typed_parts";
  public static final String NOT_INSTRUCTION = "not_instruction_response";

  public InstructionTurns {
    systemPointers = List.copyOf(systemPointers);
    instructionPointers = List.copyOf(instructionPointers);
    responsePointers = List.copyOf(responsePointers);
  }

  static InstructionTurns skipped(String recordId, String reason) {
    return new InstructionTurns(recordId, reason, "", "", "", List.of(), List.of(), List.of());
  }

  public boolean eligible() {
    return skipReason.isEmpty();
  }

  /** One turn being built: its role, message key, pointers and texts. */
  private static final class Turn {
    final String role;
    final String key;
    final List<String> pointers = new ArrayList<>();
    final List<String> texts = new ArrayList<>();

    Turn(String role, String key) {
      this.role = role;
      this.key = key;
    }

    void add(TextField f) {
      if (!texts.contains(f.text())) {
        pointers.add(f.pointer());
        texts.add(f.text());
      }
    }

    String text() {
      return String.join("\n\n", texts);
    }
  }

  /** Reads {@code conversation} as one instruction and one response, or says why it is not. */
  public static InstructionTurns of(Conversation conversation) {
    String id = conversation.recordId();
    List<Turn> turns = new ArrayList<>();
    for (TextField f : conversation.fields()) {
      if (f.pointer().equals("/rejected") || f.pointer().startsWith("/rejected/")) {
        continue;
      }
      if (f.role().equals("tool") || f.role().equals("function_call")
          || f.kind().equals("reasoning") || f.kind().equals("tool_call")) {
        return skipped(id, TOOLS_OR_PARTS);
      }
      String key = messageKey(f.pointer());
      Turn last = turns.isEmpty() ? null : turns.get(turns.size() - 1);
      boolean sameTurn = last != null && last.role.equals(f.role())
          && (key == null || last.key == null || key.equals(last.key));
      if (!sameTurn) {
        last = new Turn(f.role(), key);
        turns.add(last);
      }
      last.add(f);
    }
    Turn system = null;
    int i = 0;
    while (i < turns.size() && turns.get(i).role.equals("system")) {
      Turn t = turns.get(i++);
      if (system == null) {
        system = t;
      } else {
        t.pointers.forEach(system.pointers::add);
        t.texts.forEach(system.texts::add);
      }
    }
    List<Turn> rest = turns.subList(i, turns.size());
    long users = rest.stream().filter(t -> t.role.equals("user")).count();
    long assistants = rest.stream().filter(t -> t.role.equals("assistant")).count();
    if (rest.size() == 2 && users == 1 && assistants == 1 && rest.get(0).role.equals("user")) {
      Turn user = rest.get(0);
      Turn assistant = rest.get(1);
      return new InstructionTurns(id, "",
          system == null ? "" : system.text(), user.text(), assistant.text(),
          system == null ? List.of() : system.pointers, user.pointers, assistant.pointers);
    }
    return skipped(id, users > 1 || assistants > 1 ? MULTI_TURN : NOT_INSTRUCTION);
  }

  /**
   * The message a field belongs to when it sits in a message list ({@code /messages/3}), or null
   * for a flat field, which joins the turn of its role.
   */
  static String messageKey(String pointer) {
    String[] seg = pointer.split("/", -1);
    if (seg.length < 3) {
      return null;
    }
    return switch (seg[1]) {
      case "messages", "conversations", "history" -> "/" + seg[1] + "/" + seg[2]
          + (seg[1].equals("history") && seg.length > 3 ? "/" + seg[3] : "");
      case "instances" -> "/instances/" + seg[2];
      case "chosen" -> isIndex(seg[2]) ? "/chosen/" + seg[2] : "/chosen";
      case "question" -> seg.length > 3 && isIndex(seg[2]) ? "/question/" + seg[2] + "/" + seg[3]
          : null;
      default -> null;
    };
  }

  private static boolean isIndex(String s) {
    return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
  }

  @Override
  public String toString() {
    return "InstructionTurns{" + recordId + (eligible() ? " " + instructionPointers + " -> "
        + responsePointers : " skipped: " + skipReason) + "}";
  }

  static void write(DataOutputStream out, InstructionTurns t) throws IOException {
    for (String s : List.of(t.recordId, t.skipReason, t.systemEn, t.instructionEn, t.responseEn)) {
      ModelCoders.writeUtf8(out, s);
    }
    for (List<String> list : List.of(t.systemPointers, t.instructionPointers, t.responsePointers)) {
      out.writeInt(list.size());
      for (String s : list) {
        ModelCoders.writeUtf8(out, s);
      }
    }
  }

  static InstructionTurns read(DataInputStream in) throws IOException {
    String[] s = new String[5];
    for (int i = 0; i < s.length; i++) {
      s[i] = ModelCoders.readUtf8(in);
    }
    List<List<String>> lists = new ArrayList<>();
    for (int l = 0; l < 3; l++) {
      int n = in.readInt();
      List<String> list = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        list.add(ModelCoders.readUtf8(in));
      }
      lists.add(list);
    }
    return new InstructionTurns(s[0], s[1], s[2], s[3], s[4], lists.get(0), lists.get(1),
        lists.get(2));
  }

  /** A compact, deterministic coder: the five texts, then the three pointer lists. */
  public static final class InstructionTurnsCoder extends ModelCoders.Typed<InstructionTurns> {
    public InstructionTurnsCoder() {
      super(InstructionTurns::write, InstructionTurns::read);
    }

    public static CoderProvider getCoderProvider() {
      return CoderProviders.forCoder(
          TypeDescriptor.of(InstructionTurns.class), new InstructionTurnsCoder());
    }
  }
}
