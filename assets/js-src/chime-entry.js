// Entry for the vendored browser bundle: expose the whole SDK as a global for plain <script src> loading.
window.ChimeSDK = require('amazon-chime-sdk-js');
