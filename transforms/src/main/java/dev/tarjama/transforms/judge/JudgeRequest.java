package dev.tarjama.transforms.judge;

import dev.tarjama.models.openai.BackendConfig;
import java.util.Objects;

/**
 * Everything that decides a judge's answer for one pair, and nothing else: the backend's
 * configuration (server, model, sampling; it names the key's environment variable, never the key)
 * and the rendered prompt. A pure function of (backend config, prompt template, pair), so that a
 * content-addressed cache can key on it and replay an answer instead of calling the server again;
 * {@link JudgeParallelPairs} sends exactly {@link #prompt()} with {@link #config()}, n = 1.
 */
public record JudgeRequest(BackendConfig config, String prompt) {
  public JudgeRequest {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(prompt, "prompt");
  }

  public static JudgeRequest of(BackendConfig config, JudgePrompt template, ParallelPair pair) {
    return new JudgeRequest(config, template.render(pair.en(), pair.ar()));
  }
}
