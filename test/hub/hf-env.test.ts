import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { expandPath, hfTokenPath, isHfOffline, resolveHfEndpoint, resolveHfHubCache, resolveHfToken } from "../../src/config/hf-env.js";

const HOME = "/home/u";

test("hub cache: HF_HUB_CACHE > HUGGINGFACE_HUB_CACHE > HF_HOME/hub > XDG_CACHE_HOME > ~/.cache, ~ and $VAR expanded", () => {
  assert.equal(resolveHfHubCache({}, HOME), path.join(HOME, ".cache", "huggingface", "hub"));
  assert.equal(resolveHfHubCache({ XDG_CACHE_HOME: "/x" }, HOME), path.join("/x", "huggingface", "hub"));
  assert.equal(resolveHfHubCache({ XDG_CACHE_HOME: "/x", HF_HOME: "/h" }, HOME), path.join("/h", "hub"));
  assert.equal(resolveHfHubCache({ HF_HOME: "/h", HUGGINGFACE_HUB_CACHE: "/legacy" }, HOME), "/legacy");
  assert.equal(resolveHfHubCache({ HF_HOME: "/h", HUGGINGFACE_HUB_CACHE: "/legacy", HF_HUB_CACHE: "/c" }, HOME), "/c");
  assert.equal(resolveHfHubCache({ HF_HUB_CACHE: "~/hf" }, HOME), `${HOME}/hf`);
  assert.equal(resolveHfHubCache({ HF_HOME: "$DATA/hf", DATA: "/data" }, HOME), path.join("/data", "hf", "hub"));
  assert.equal(resolveHfHubCache({ HF_HUB_CACHE: "", HF_HOME: "" }, HOME), path.join(HOME, ".cache", "huggingface", "hub"), "empty = unset");
  assert.equal(expandPath("${A}/$B/$MISSING", { A: "a", B: "b" }, HOME), "a/b/$MISSING");
});

test("token: HF_TOKEN > HUGGING_FACE_HUB_TOKEN > HF_TOKEN_PATH file > $HF_HOME/token, cleaned; missing file = none", () => {
  const files: Record<string, string> = { [path.join("/h", "token")]: " hf_fromfile\n", "/t/tok": "hf_frompath\r\n" };
  const read = (f: string) => {
    if (!(f in files)) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
    return files[f];
  };
  assert.equal(resolveHfToken({ HF_TOKEN: "hf_env", HUGGING_FACE_HUB_TOKEN: "hf_old", HF_HOME: "/h" }, HOME, read), "hf_env");
  assert.equal(resolveHfToken({ HF_TOKEN: "  ", HUGGING_FACE_HUB_TOKEN: "hf_old\n" }, HOME, read), "hf_old");
  assert.equal(resolveHfToken({ HF_HOME: "/h" }, HOME, read), "hf_fromfile");
  assert.equal(resolveHfToken({ HF_HOME: "/h", HF_TOKEN_PATH: "/t/tok" }, HOME, read), "hf_frompath");
  assert.equal(resolveHfToken({}, HOME, read), undefined);
  assert.equal(resolveHfToken({ HF_HOME: "/empty" }, HOME, () => "\n"), undefined);
  assert.equal(hfTokenPath({}, HOME), path.join(HOME, ".cache", "huggingface", "token"));
});

test("endpoint and offline flag", () => {
  assert.equal(resolveHfEndpoint({}), "https://huggingface.co");
  assert.equal(resolveHfEndpoint({ HF_ENDPOINT: "http://127.0.0.1:9/" }), "http://127.0.0.1:9");
  for (const v of ["1", "true", "YES", "on"]) assert.equal(isHfOffline({ HF_HUB_OFFLINE: v }), true, v);
  for (const v of [undefined, "", "0", "false", "no"]) assert.equal(isHfOffline({ HF_HUB_OFFLINE: v }), false, String(v));
});
