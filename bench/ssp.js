// ssp.js -- package a rendered course folder with simple-scorm-packager
//
//   node bench/ssp.js SRC_DIR OUT_DIR
//
// SRC_DIR is a folder with the files etoolbox put in its package (unzipped).
// simple-scorm-packager writes its own imsmanifest.xml, metadata.xml and the
// SCORM 1.2 XSDs into SRC_DIR, then zips SRC_DIR with archiver (zlib's
// default level, 6) into OUT_DIR/synthetic_v1.0.0_2024-01-01.zip. The SRC_DIR
// must be a copy that may be changed.
'use strict';
const path = require('path');
const scopackager = require('simple-scorm-packager');

const [src, out] = process.argv.slice(2);
if (!src || !out) {
  console.error('usage: node ssp.js SRC_DIR OUT_DIR');
  process.exit(2);
}
const log = console.log;
console.log = () => {}; // it logs every step with colours; keep stdout quiet
scopackager(
  {
    version: '1.2',
    organization: 'JMDI',
    title: 'synthetic',
    language: 'en',
    identifier: 'synthetic',
    masteryScore: 80,
    startingPage: 'm01/index.html',
    source: path.resolve(src),
    package: {
      version: '1.0.0',
      date: '2024-01-01',
      zip: true,
      appendTimeToOutput: false,
      outputFolder: path.resolve(out),
    },
  },
  (msg) => {
    if (msg !== 'Done') {
      log(msg);
      process.exit(1);
    }
  },
);
