package dev.tarjama.transforms;

import dev.tarjama.models.openai.BackendConfig;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.rank.RankingPolicy;
import java.util.Locale;
import org.apache.beam.sdk.transforms.display.DisplayData;

/**
 * What the composites show as display data (the Flink and Dataflow job graphs, Dataflow's job
 * spec) for values that could carry a secret. Display data is visible to anyone who can see the
 * job, so a URI is shown without its user-info and a credential-looking query parameter without
 * its value; an API key is shown by the NAME of its variable or secret only (a spec never holds
 * the key itself).
 */
public final class DisplayValues {
  private DisplayValues() {}

  /**
   * {@code uri} without credentials: {@code scheme://user:pass@host/…} loses {@code user:pass@},
   * and a query parameter whose name says password, key, token or secret (unless it names an
   * environment variable, {@code …-env}) keeps its name only. Works on non-hierarchical URIs such
   * as {@code sqlite:PATH} too (they pass unchanged).
   */
  public static String withoutCredentials(String uri) {
    if (uri == null) {
      return null;
    }
    String s = uri;
    int scheme = s.indexOf("://");
    if (scheme >= 0) {
      int authorityStart = scheme + 3;
      int authorityEnd = authorityStart;
      while (authorityEnd < s.length() && "/?#".indexOf(s.charAt(authorityEnd)) < 0) {
        authorityEnd++;
      }
      int at = s.lastIndexOf('@', authorityEnd - 1);
      if (at >= authorityStart) {
        s = s.substring(0, authorityStart) + s.substring(at + 1);
      }
    }
    int q = s.indexOf('?');
    if (q < 0) {
      return s;
    }
    int hash = s.indexOf('#', q);
    String query = hash < 0 ? s.substring(q + 1) : s.substring(q + 1, hash);
    StringBuilder out = new StringBuilder(s.substring(0, q + 1));
    String[] params = query.split("&", -1);
    for (int i = 0; i < params.length; i++) {
      String p = params[i];
      int eq = p.indexOf('=');
      String name = (eq < 0 ? p : p.substring(0, eq)).toLowerCase(Locale.ROOT);
      boolean secret = !name.endsWith("-env") && !name.endsWith("_env")
          && (name.contains("pass") || name.contains("key") || name.contains("token")
              || name.contains("secret") || name.contains("auth"));
      out.append(i == 0 ? "" : "&").append(secret && eq >= 0 ? p.substring(0, eq) + "=***" : p);
    }
    if (hash >= 0) {
      out.append(s.substring(hash));
    }
    return out.toString();
  }

  /**
   * The backend as a user names it: name, kind, model and server URL (no credentials), and where
   * its API key comes from (the variable's or secret's name; never a value).
   */
  public static void backend(DisplayData.Builder builder, BackendSpec backend) {
    builder.add(DisplayData.item("backend", backend.name()).withLabel("Backend"));
    builder.add(DisplayData.item("backendKind", backend.kind().id()).withLabel("Backend kind"));
    builder.add(DisplayData.item("model", backend.model()).withLabel("Model"));
    BackendConfig config = backend.config();
    if (config != null) {
      builder.add(DisplayData.item("url", withoutCredentials(config.baseUrl()))
          .withLabel("Server URL"));
      builder.addIfNotDefault(
          DisplayData.item("keyEnv", nullToEmpty(config.apiKeyEnv()))
              .withLabel("API key variable (name only)"), "");
      builder.addIfNotDefault(
          DisplayData.item("keySecret", nullToEmpty(config.apiKeySecret()))
              .withLabel("API key secret (name only)"), "");
    }
  }

  /**
   * A ranking policy as the same text {@code --policy} takes ("defaults" for the default policy),
   * and as the one line {@link RankingPolicy#describe} gives a person (formula and thresholds).
   */
  public static void rankingPolicy(DisplayData.Builder builder, RankingPolicy policy) {
    String spec = policy.toSpec();
    builder.add(DisplayData.item("policy", spec.isEmpty() ? "defaults" : spec)
        .withLabel("Ranking policy (--policy)"));
    builder.add(DisplayData.item("rankScore", policy.describe()).withLabel("rank_score"));
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
