'use strict';
// Writes hand-made SCORM packages that follow docs/page-contract.md, for tests that need
// content the real course does not have (a module too big for suspend_data, every
// question type in one module) and for running the suite before the builder exists.
const fs = require('fs');
const path = require('path');

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function pageHtml(course, mod, opts) {
  const pages = [
    { id: 'page-about', kind: 'about', title: 'About this course' },
    { id: 'page-overview', kind: 'overview', title: mod.title },
    ...mod.topics.map((t) => ({ id: 'topic-' + t.id, kind: 'topic', title: t.title, topic: t.id })),
    { id: 'page-quiz', kind: 'quiz', title: 'Knowledge check' },
  ];
  if (course.resources) pages.push({ id: 'page-resources', kind: 'resources', title: 'Resources' });
  const keys = 'abcdefghijklmnopqrstuvwxyz';
  const questions = mod.questions.map((q) => {
    const o = { id: q.id, type: q.type, prompt: q.prompt };
    if (q.choices) o.choices = q.choices.map((c, i) => Object.assign({ key: keys[i], text: c.text, correct: !!c.correct }, c.feedback ? { feedback: c.feedback } : {}));
    if (q.type === 'true_false') o.answer = q.answer;
    if (q.pairs) o.pairs = q.pairs.map((p, i) => ({ key: String(i + 1), left: p.left, right: p.right, right_key: keys[i] }));
    o.feedback = q.feedback;
    return o;
  });
  const data = {
    format: 1, lang: 'en',
    course: { id: course.id, title: course.title, xapi_base: 'https://example.org/xapi' },
    module: { id: mod.id, title: mod.title, mastery_score: mod.mastery },
    pages, questions,
  };
  const json = JSON.stringify(data).replace(/\//g, '\\/');
  const sec = (p, inner) => `<section class="et-page" id="${p.id}" data-kind="${p.kind}"${p.topic ? ` data-topic="${p.topic}"` : ''} aria-labelledby="${p.id}-h">\n<h1 id="${p.id}-h">${esc(p.title)}</h1>\n${inner}\n</section>`;
  const body = pages.map((p) => {
    if (p.kind === 'about') return sec(p, `<p>${esc(course.description)}</p>\n<h2>Who is it for</h2>\n<ul><li>Local authorities</li><li>Civil society</li></ul>`);
    if (p.kind === 'overview') return sec(p, `<p>${esc(mod.description)}</p>\n<h2>Objectives</h2>\n<ul><li>Understand the topic.</li></ul>`);
    if (p.kind === 'topic') return sec(p, mod.topics.find((t) => 'topic-' + t.id === p.id).html);
    if (p.kind === 'quiz') return sec(p, `<p class="et-quiz-intro">${questions.length} questions. You pass with ${mod.mastery}% or more.</p>\n<div id="et-quiz"></div>\n<noscript><p>The knowledge check needs JavaScript.</p></noscript>`);
    return sec(p, course.resources);
  }).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(mod.title)} – ${esc(course.title)}</title>
<link rel="stylesheet" href="../assets/etoolbox.css">
${opts.theme ? '<link rel="stylesheet" href="../assets/theme.css">\n' : ''}</head>
<body class="et-nojs">
<header class="et-header">
<p class="et-course">${esc(course.title)}</p>
<p class="et-module">${esc(mod.title)}</p>
</header>
<main id="et-main">
${body}
</main>
<script type="application/json" id="et-data">${json}</script>
<script src="../assets/xapi.js"></script>
<script src="../assets/etoolbox.js"></script>
</body>
</html>
`;
}

function manifest(course, mod) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="${course.id}-${mod.id}" version="1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
<organizations default="org"><organization identifier="org"><title>${esc(mod.title)}</title>
<item identifier="item-${mod.id}" identifierref="res-${mod.id}"><title>${esc(mod.title)}</title><adlcp:masteryscore>${mod.mastery}</adlcp:masteryscore></item>
</organization></organizations>
<resources><resource identifier="res-${mod.id}" type="webcontent" adlcp:scormtype="sco" href="${mod.id}/index.html"><file href="${mod.id}/index.html"/></resource></resources>
</manifest>
`;
}

// Writes one package directory per module under outDir; returns their paths.
function writePackages(outDir, course, runtimeDir) {
  const dirs = [];
  for (const mod of course.modules) {
    const dir = path.join(outDir, `${course.id}-${mod.id}`);
    fs.mkdirSync(path.join(dir, mod.id), { recursive: true });
    fs.mkdirSync(path.join(dir, 'assets'), { recursive: true });
    fs.copyFileSync(path.join(runtimeDir, 'etoolbox.js'), path.join(dir, 'assets', 'etoolbox.js'));
    fs.copyFileSync(path.join(runtimeDir, 'xapi.js'), path.join(dir, 'assets', 'xapi.js'));
    fs.copyFileSync(path.join(runtimeDir, 'etoolbox.css'), path.join(dir, 'assets', 'etoolbox.css'));
    if (course.media) for (const [rel, content] of Object.entries(course.media)) {
      fs.mkdirSync(path.dirname(path.join(dir, 'media', rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, 'media', rel), content);
    }
    fs.writeFileSync(path.join(dir, mod.id, 'index.html'), pageHtml(course, mod, {}));
    fs.writeFileSync(path.join(dir, 'imsmanifest.xml'), manifest(course, mod));
    dirs.push(dir);
  }
  return dirs;
}

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="120" viewBox="0 0 240 120"><rect width="240" height="120" fill="#e8f1fb"/><circle cx="60" cy="60" r="40" fill="#0b5cad"/><text x="120" y="66" font-size="18" fill="#1c1f23">cycle</text></svg>';

// A small course with every question type (like tests/fixtures/minimal of the builder).
function sampleCourse() {
  return {
    id: 'fixture', title: 'Fixture course on migration and local development',
    description: 'A hand-made course that follows the page contract.',
    resources: '<ul><li><a href="https://example.org/report">A report on the web</a></li></ul>',
    media: { 'modules/core/images/cycle.svg': SVG },
    modules: [{
      id: 'core', title: 'Core Module', mastery: 80, description: 'The core ideas.',
      topics: [
        { id: 'nexus', title: 'The migration and development nexus', html: '<h2>Why it matters</h2>\n<p>Migration shapes <strong>territories</strong>. See <a href="https://example.org/nexus">the nexus paper</a>.</p>\n<p><img src="../media/modules/core/images/cycle.svg" alt="The migration cycle: before, during and after migration"></p>\n<h3>Details</h3>\n<ol><li>Before</li><li>During</li><li>After</li></ol>' },
        { id: 'actors', title: 'Local actors', html: '<h2>Who acts</h2>\n<p>Local and regional authorities, civil society and <code>migrants</code> themselves.</p>\n<blockquote><p>Think globally, act locally.</p></blockquote>' },
      ],
      questions: [
        { id: 'q-nexus', type: 'single_choice', prompt: 'What links migration and development?',
          choices: [{ text: 'Nothing at all', feedback: 'They are closely linked.' }, { text: 'Many mutual influences', correct: true }, { text: 'Only remittances' }],
          feedback: { correct: 'Right: the links go both ways.', incorrect: 'Review the nexus topic.' } },
        { id: 'q-actors', type: 'multiple_choice', prompt: 'Which are local actors? Select all that apply.',
          choices: [{ text: 'Municipalities', correct: true }, { text: 'Migrant associations', correct: true }, { text: 'A foreign army', feedback: 'Not a local development actor.' }, { text: 'Local businesses', correct: true }],
          feedback: { correct: 'Yes, all three.', incorrect: 'Several answers were right.' } },
        { id: 'q-tf', type: 'true_false', prompt: 'Migrants can be development actors.', answer: true,
          feedback: { correct: 'True indeed.', incorrect: 'They can.' } },
        { id: 'q-match', type: 'matching', prompt: 'Match each term with its meaning.',
          pairs: [{ left: 'Brain drain', right: 'Skilled people leave' }, { left: 'Brain waste', right: 'Skills go unused' }, { left: 'Remittances', right: 'Money sent home' }],
          feedback: { correct: 'Well matched.', incorrect: 'Some pairs were wrong.' } },
        { id: 'q-tf2', type: 'true_false', prompt: 'Only national governments matter.', answer: false,
          feedback: { correct: 'Correct: local actors matter too.', incorrect: 'Local actors matter too.' } },
      ],
    }],
  };
}

// A module far beyond any real one: suspend_data must still stay <= 4096 characters.
function hugeCourse(nQuestions) {
  const keys = 'abcdefghijklmnopqrstuvwxyz';
  const questions = [];
  for (let i = 0; i < nQuestions; i++) {
    const kind = i % 20 === 19 ? 1 : 0;
    if (kind === 0) questions.push({ id: 'm' + i, type: 'matching', prompt: 'Matching ' + i,
      pairs: Array.from({ length: 9 }, (_, j) => ({ left: `L${i}.${j}`, right: `R${i}.${j}` })), feedback: { correct: 'ok', incorrect: 'no' } });
    else questions.push({ id: 'c' + i, type: 'multiple_choice', prompt: 'Choice ' + i,
      choices: Array.from({ length: 26 }, (_, j) => ({ text: 'Option ' + keys[j], correct: j === 0 })), feedback: { correct: 'ok', incorrect: 'no' } });
  }
  const topics = Array.from({ length: 40 }, (_, i) => ({ id: 't' + i, title: 'Topic ' + i, html: `<p>Topic ${i}.</p>` }));
  return { id: 'huge', title: 'Huge course', description: 'Stress test.', modules: [{ id: 'huge', title: 'Huge module', mastery: 80, description: 'Big.', topics, questions }] };
}

module.exports = { writePackages, sampleCourse, hugeCourse, pageHtml };
