package dev.tarjama.models.reward;

import java.io.Serializable;
import java.util.Objects;

/**
 * How a (source, candidate) pair is written out for a reward model: the text the model was trained
 * on, with {@value #SOURCE} and {@value #CANDIDATE} standing for the two texts (each exactly once,
 * source first). Special tokens are written as text ({@code <|im_start|>}); the tokenizer maps them
 * to their ids.
 *
 * <p>The default, {@link #QWEN}, is the Qwen chat format with the source as the user turn and the
 * candidate as the assistant turn, and no system turn. A model trained with Qwen2.5's own chat
 * template (which adds a default system prompt when there is none) wants that system turn in its
 * template: put it in {@code reward_config.json}.
 */
public final class ChatTemplate implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String SOURCE = "{source}";
  public static final String CANDIDATE = "{candidate}";

  /** Qwen chat format: user turn = source text, assistant turn = candidate. */
  public static final ChatTemplate QWEN =
      of("<|im_start|>user\n{source}<|im_end|>\n<|im_start|>assistant\n{candidate}<|im_end|>\n");

  private final String template;
  private final String beforeSource;
  private final String between;
  private final String afterCandidate;

  private ChatTemplate(String template) {
    this.template = template;
    int s = template.indexOf(SOURCE);
    int c = template.indexOf(CANDIDATE);
    if (s < 0 || c < 0 || template.indexOf(SOURCE, s + 1) >= 0
        || template.indexOf(CANDIDATE, c + 1) >= 0 || c < s + SOURCE.length()) {
      throw new IllegalArgumentException(
          "a reward template needs " + SOURCE + " and then " + CANDIDATE + ", each exactly once: "
              + template);
    }
    this.beforeSource = template.substring(0, s);
    this.between = template.substring(s + SOURCE.length(), c);
    this.afterCandidate = template.substring(c + CANDIDATE.length());
  }

  /** A template with {@value #SOURCE} and then {@value #CANDIDATE}, each exactly once. */
  public static ChatTemplate of(String template) {
    return new ChatTemplate(Objects.requireNonNull(template, "template"));
  }

  /** The text the model reads for this pair (the two texts are inserted verbatim). */
  public String format(String source, String candidate) {
    return beforeSource + source + between + candidate + afterCandidate;
  }

  public String template() {
    return template;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChatTemplate t && template.equals(t.template);
  }

  @Override
  public int hashCode() {
    return template.hashCode();
  }

  @Override
  public String toString() {
    return template;
  }
}
