// The page of the wardgis window, in Svelte: App.svelte lays it out, lib/store.svelte.ts holds
// its state, lib/MapView.svelte holds the map. Data comes from the core through `invoke` and
// the tiles:// scheme; nothing is fetched from the network.
import { mount } from 'svelte';
import './styles.css';
import './lib/dialog.css';
import App from './App.svelte';

mount(App, { target: document.body });
