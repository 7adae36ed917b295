//! What the view loads at run time, through Bevy's `AssetServer` from `assets/` (found from
//! `BEVY_ASSET_ROOT`, else the crate's directory under `cargo run`, else beside the binary),
//! with a copy built into the binary that the same server loads when the file is not there,
//! so `view` works from any directory.
//!
//! - the palette, `assets/view/palette.ron` (`palette::Palette`): the scene is built once it is
//!   in, so every colour comes from it;
//! - the font of every text: NanumGothicCoding (NAVER, SIL Open Font Licence,
//!   `assets/view/fonts/OFL.txt`), a monospaced face with Hangul, so that Korean road and
//!   station names from OpenStreetMap show as names (Bevy's built-in font has Latin only).
//!
//! Meshes are built in code (`mesh`, `scene`, `vehicles`) from the scenario's geometry.
use std::path::{Path, PathBuf};

use bevy::asset::io::embedded::EmbeddedAssetRegistry;
use bevy::asset::io::file::FileAssetReader;
use bevy::asset::{AssetPath, LoadState};
use bevy::prelude::*;

use super::palette::{self, Palette};

/// The palette and the font, under `assets/`, and the copies built into the binary.
pub const PALETTE: &str = "view/palette.ron";
pub const FONT: &str = "view/fonts/NanumGothicCoding.ttf";
const FONT_BYTES: &[u8] = include_bytes!("../../assets/view/fonts/NanumGothicCoding.ttf");
/// Where the built-in copies live in Bevy's `embedded://` source.
const EMBEDDED_DIR: &str = "sangam_sim";

/// Register the palette's loader and the built-in copies with the asset server (after
/// `DefaultPlugins`).
pub fn embed(app: &mut App) {
    app.init_asset::<Palette>()
        .init_asset_loader::<palette::PaletteLoader>();
    let registry = app.world().resource::<EmbeddedAssetRegistry>();
    let copies: [(&str, &'static [u8]); 2] =
        [(PALETTE, palette::BUILT_IN.as_bytes()), (FONT, FONT_BYTES)];
    for (path, bytes) in copies {
        registry.insert_asset(
            PathBuf::from(path),
            &Path::new(EMBEDDED_DIR).join(path),
            bytes,
        );
    }
}

/// The built-in copy of an asset, as the asset server names it.
fn embedded(path: &str) -> AssetPath<'static> {
    AssetPath::parse(&format!("embedded://{EMBEDDED_DIR}/{path}")).into_owned()
}

/// An asset on its way: from `assets/`, or (once that failed, or when it is not there) from the
/// copy built into the binary.
#[derive(Debug)]
struct Loading<A: Asset> {
    path: &'static str,
    handle: Handle<A>,
    from_binary: bool,
}

/// Where a [`Loading`] asset is.
enum Step {
    Waiting,
    Loaded,
    /// Neither the file nor the built-in copy could be read (the log says why).
    Failed,
}

impl<A: Asset> Loading<A> {
    /// Ask for `path`: the file under `assets/` when it is there, else the built-in copy (said
    /// once in the log).
    fn start(server: &AssetServer, path: &'static str) -> Self {
        let from_binary = !asset_root().join(path).is_file();
        let handle = if from_binary {
            info!(
                "no {path} under {}: using the copy built into the binary",
                asset_root().display()
            );
            server.load(embedded(path))
        } else {
            server.load(path)
        };
        Loading {
            path,
            handle,
            from_binary,
        }
    }

    /// How the load goes; a file that cannot be read is replaced by the built-in copy.
    fn poll(&mut self, server: &AssetServer) -> Step {
        match server.load_state(&self.handle) {
            LoadState::Loaded => Step::Loaded,
            LoadState::Failed(e) if !self.from_binary => {
                warn!(
                    "{} cannot be read ({e}); using the copy built into the binary",
                    self.path
                );
                self.handle = server.load(embedded(self.path));
                self.from_binary = true;
                Step::Waiting
            }
            LoadState::Failed(e) => {
                warn!("the built-in copy of {} cannot be read ({e})", self.path);
                Step::Failed
            }
            _ => Step::Waiting,
        }
    }
}

/// The palette being loaded.
#[derive(Resource, Debug)]
pub struct PalettePending(Loading<Palette>);

/// The view's font: loading, or in use.
#[derive(Resource, Debug)]
pub struct ViewFont {
    loading: Loading<Font>,
    ready: bool,
}

/// The view's assets needed to build the scene are in: the scene is built on the frame this
/// appears, and everything else runs from then on.
#[derive(Resource, Debug)]
pub struct Ready;

/// Where `assets/` is for the asset server.
fn asset_root() -> PathBuf {
    // `AssetPlugin::file_path`, which the view leaves at its default.
    FileAssetReader::get_base_path().join("assets")
}

/// Ask for the palette and the font.
pub fn load(mut commands: Commands, server: Res<AssetServer>) {
    commands.insert_resource(PalettePending(Loading::start(&server, PALETTE)));
    commands.insert_resource(ViewFont {
        loading: Loading::start(&server, FONT),
        ready: false,
    });
}

/// Take the palette once it is in (the built-in one stays when neither copy can be read).
pub fn adopt_palette(
    mut commands: Commands,
    server: Res<AssetServer>,
    palettes: Res<Assets<Palette>>,
    pending: Option<ResMut<PalettePending>>,
) {
    let Some(mut pending) = pending else { return };
    match pending.0.poll(&server) {
        Step::Waiting => return,
        Step::Loaded => {
            if let Some(p) = palettes.get(&pending.0.handle) {
                palette::adopt(p.clone());
            }
        }
        Step::Failed => {}
    }
    commands.remove_resource::<PalettePending>();
    commands.insert_resource(Ready);
}

/// Once the font is in, every text uses it, and each text spawned later (Bevy's own font stays
/// when neither copy can be read).
pub fn adopt(
    server: Res<AssetServer>,
    mut font: ResMut<ViewFont>,
    mut texts: Query<&mut TextFont>,
) {
    if !font.ready {
        match font.loading.poll(&server) {
            Step::Waiting => return,
            Step::Loaded => {}
            Step::Failed => font.loading.handle = Handle::default(),
        }
        font.ready = true;
    }
    for mut t in &mut texts {
        if t.is_added() || font.is_changed() {
            t.font = font.loading.handle.clone().into();
        }
    }
}
