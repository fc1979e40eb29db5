// axe-core's WCAG 2.1 A and AA rules on each page, in Debian's Chromium driven by puppeteer-core
// (tests/test_site.py installs both packages and sets NODE_PATH; no browser is downloaded).
//
//   node tests/axe_check.cjs /usr/bin/chromium URL...
//
// Prints {url: [violation, ...]} as JSON; a violation names its rule, impact, help text and the
// first few elements that break it. Exits 2 when a page cannot be checked.
"use strict";
const fs = require("fs");
const puppeteer = require("puppeteer-core");

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

async function main() {
  const [executablePath, ...urls] = process.argv.slice(2);
  const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const report = {};
  try {
    for (const url of urls) {
      const page = await browser.newPage();
      const response = await page.goto(url, { waitUntil: "load" });
      if (!response || !response.ok()) throw new Error(`${url}: HTTP ${response && response.status()}`);
      await page.evaluate(axeSource);
      const result = await page.evaluate(
        (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags } }), TAGS);
      report[url] = result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
      }));
      await page.close();
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(report));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack || error) + "\n");
  process.exit(2);
});
