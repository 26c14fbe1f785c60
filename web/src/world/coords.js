// Scene files and the protocol use Panda3D's frame (metres, Z up, heading 0 faces +Y);
// glTF and three.js are Y up. The glTF exporter maps (x, y, z) -> (x, z, -y), a rotation, so a
// heading about Z is the same angle about three's Y.
export const toThree = (x, y, z = 0) => [x, z, -y];
export const headingRad = (yawDeg) => (yawDeg * Math.PI) / 180;
